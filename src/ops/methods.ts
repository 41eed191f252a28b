/**
 * Tensor methods: the ops NumPy and Keras users reach for as methods (`x.add(y)`, `x.reshape(...)`,
 * `inputs.slice(...)`), on concrete and symbolic tensors alike. Each one calls the op of the same name.
 */
import type { DType } from "../backend/dtypes.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import * as ew from "./elementwise.js";
import * as idx from "./indexing.js";
import * as la from "./linalg.js";
import * as act from "./nn/activations.js";
import * as red from "./reduction.js";
import type { Axis } from "./reduction.js";
import * as sh from "./shape.js";
import { stopGradient } from "./gradient.js";
import type { TensorInput } from "./types.js";

/** @inline */
type Ax = number | readonly number[] | null;

/** The methods both tensor classes carry; `Self` is the class's own type. */
export interface TensorMethods<Self> {
  add(other: TensorInput): Self;
  subtract(other: TensorInput): Self;
  multiply(other: TensorInput): Self;
  divide(other: TensorInput): Self;
  floorDivide(other: TensorInput): Self;
  mod(other: TensorInput): Self;
  power(other: TensorInput): Self;
  maximum(other: TensorInput): Self;
  minimum(other: TensorInput): Self;
  equal(other: TensorInput): Self;
  notEqual(other: TensorInput): Self;
  less(other: TensorInput): Self;
  lessEqual(other: TensorInput): Self;
  greater(other: TensorInput): Self;
  greaterEqual(other: TensorInput): Self;
  logicalAnd(other: TensorInput): Self;
  logicalOr(other: TensorInput): Self;
  logicalNot(): Self;
  negative(): Self;
  abs(): Self;
  sign(): Self;
  square(): Self;
  sqrt(): Self;
  rsqrt(): Self;
  exp(): Self;
  expm1(): Self;
  log(): Self;
  log1p(): Self;
  sin(): Self;
  cos(): Self;
  tanh(): Self;
  floor(): Self;
  ceil(): Self;
  round(): Self;
  isnan(): Self;
  isfinite(): Self;
  clip(xMin: number, xMax: number): Self;
  cast(dtype: DType | string): Self;
  astype(dtype: DType | string): Self;
  sum(axis?: Axis, keepdims?: boolean): Self;
  mean(axis?: Axis, keepdims?: boolean): Self;
  max(axis?: Axis, keepdims?: boolean): Self;
  min(axis?: Axis, keepdims?: boolean): Self;
  prod(axis?: Axis, keepdims?: boolean): Self;
  var(axis?: Axis, keepdims?: boolean): Self;
  std(axis?: Axis, keepdims?: boolean): Self;
  logsumexp(axis?: Axis, keepdims?: boolean): Self;
  all(axis?: Axis, keepdims?: boolean): Self;
  any(axis?: Axis, keepdims?: boolean): Self;
  argmax(axis?: number | null, keepdims?: boolean): Self;
  argmin(axis?: number | null, keepdims?: boolean): Self;
  cumsum(axis?: number | null): Self;
  matmul(other: TensorInput): Self;
  dot(other: TensorInput): Self;
  reshape(newShape: readonly number[]): Self;
  transpose(axes?: readonly number[] | null): Self;
  expandDims(axis: number | readonly number[]): Self;
  squeeze(axis?: Ax): Self;
  flatten(): Self;
  broadcastTo(shape: readonly number[]): Self;
  slice(startIndices: readonly number[], shape: readonly number[]): Self;
  split(indicesOrSections: number | readonly number[], axis?: number): Self[];
  take(indices: TensorInput, axis?: number | null): Self;
  tile(repeats: number | readonly number[]): Self;
  repeat(repeats: number, axis?: number | null): Self;
  flip(axis?: Ax): Self;
  relu(): Self;
  sigmoid(): Self;
  softmax(axis?: number): Self;
  stopGradient(): Self;
}

declare module "../backend/tensor.js" {
  interface Tensor extends TensorMethods<Tensor> {}
}
declare module "../backend/symbolic_tensor.js" {
  interface SymbolicTensor extends TensorMethods<SymbolicTensor> {}
}

// biome-ignore lint/suspicious/noExplicitAny: each entry forwards its own argument list to its op.
type AnyOp = (x: any, ...args: any[]) => unknown;

const METHODS: Record<keyof TensorMethods<unknown>, AnyOp> = {
  add: ew.add,
  subtract: ew.subtract,
  multiply: ew.multiply,
  divide: ew.divide,
  floorDivide: ew.floorDivide,
  mod: ew.mod,
  power: ew.power,
  maximum: ew.maximum,
  minimum: ew.minimum,
  equal: ew.equal,
  notEqual: ew.notEqual,
  less: ew.less,
  lessEqual: ew.lessEqual,
  greater: ew.greater,
  greaterEqual: ew.greaterEqual,
  logicalAnd: ew.logicalAnd,
  logicalOr: ew.logicalOr,
  logicalNot: ew.logicalNot,
  negative: ew.negative,
  abs: ew.abs,
  sign: ew.sign,
  square: ew.square,
  sqrt: ew.sqrt,
  rsqrt: ew.rsqrt,
  exp: ew.exp,
  expm1: ew.expm1,
  log: ew.log,
  log1p: ew.log1p,
  sin: ew.sin,
  cos: ew.cos,
  tanh: ew.tanh,
  floor: ew.floor,
  ceil: ew.ceil,
  round: ew.round,
  isnan: ew.isnan,
  isfinite: ew.isfinite,
  clip: ew.clip,
  cast: ew.cast,
  astype: ew.cast,
  sum: red.sum,
  mean: red.mean,
  max: red.max,
  min: red.min,
  prod: red.prod,
  var: red.variance,
  std: red.std,
  logsumexp: red.logsumexp,
  all: red.all,
  any: red.any,
  argmax: red.argmax,
  argmin: red.argmin,
  cumsum: red.cumsum,
  matmul: la.matmul,
  dot: la.dot,
  reshape: sh.reshape,
  transpose: sh.transpose,
  expandDims: sh.expandDims,
  squeeze: sh.squeeze,
  flatten: (x: Tensor) => sh.reshape(x, [-1]),
  broadcastTo: sh.broadcastTo,
  slice: sh.slice,
  split: sh.split,
  take: idx.take,
  tile: sh.tile,
  repeat: sh.repeat,
  flip: sh.flip,
  relu: act.relu,
  sigmoid: act.sigmoid,
  softmax: act.softmax,
  stopGradient,
};

for (const [name, op] of Object.entries(METHODS)) {
  const method = {
    [name](this: unknown, ...args: unknown[]) {
      return op(this, ...args);
    },
  }[name];
  for (const proto of [Tensor.prototype, SymbolicTensor.prototype]) {
    Object.defineProperty(proto, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}
