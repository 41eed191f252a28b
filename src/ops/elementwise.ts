import { castTensor } from "../backend/convert.js";
import { type DType, isFloat, promoteTypes, standardizeDType } from "../backend/dtypes.js";
import { broadcastShapes, shapesEqual } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { kernels } from "../backend/kernels.js";
import "../backend/cpu/elementwise.js";
import { apply1, defineOp, type GradContext, type OpDef, toAny, toAnyAll } from "./registry.js";
import { sum } from "./reduction.js";
import { reshape } from "./shape.js";
import type { AnyTensor, Out, Spec, TensorInput } from "./types.js";

type G = GradContext<Record<string, never>>;
const T = (x: AnyTensor) => x as Tensor;

/** Sums a broadcast gradient back down to the shape of the input it came from. */
export function unbroadcast(dy: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? (sum(dy, axes, true) as Tensor) : dy;
  return reshape(s, shape as number[]) as Tensor;
}

// ---------------------------------------------------------------- binary

type BinaryKind = "arith" | "float" | "compare" | "logical";

function binaryDType(kind: BinaryKind, a: DType, b: DType): DType {
  if (kind === "compare" || kind === "logical") return "bool";
  const d = promoteTypes(a, b);
  if (kind === "float" && !isFloat(d)) return "float32";
  // Arithmetic on booleans counts, as NumPy's does after promotion to integers.
  return d === "bool" ? "int32" : d;
}

/** One input's gradient, computed only when asked for. */
type GradOf = () => Tensor;

/** `f`, evaluated at the first call only (a value both inputs' gradients share). */
function once<R>(f: () => R): () => R {
  let done = false;
  let value: R;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

function binaryOp(
  name: string,
  kind: BinaryKind,
  grad?: (dy: Tensor, a: Tensor, b: Tensor, out: Tensor) => [GradOf, GradOf],
): OpDef {
  return defineOp({
    name,
    nonDifferentiable: grad === undefined,
    spec: ([a, b]: readonly Spec[]) => ({
      shape: broadcastShapes(`ops.${name}`, a.shape, b.shape),
      dtype: binaryDType(kind, a.dtype, b.dtype),
    }),
    forward: ([a, b], _attrs, [o]) => {
      const out = Tensor.uninitialized(o.shape, o.dtype);
      // Compute in the promoted input type (comparisons of int with float compare as floats).
      const work = kind === "compare" || kind === "logical" ? promoteTypes(a.dtype, b.dtype) : o.dtype;
      kernels.binary(name, castTensor(a, work), castTensor(b, work), out);
      return out;
    },
    grad: grad
      ? ([dy], { inputs: [a, b], outputs: [out], needsGrad: [needA, needB] }: G) => {
          const [da, db] = grad(dy, a, b, out);
          return [needA ? unbroadcast(da(), a.shape) : null, needB ? unbroadcast(db(), b.shape) : null];
        }
      : undefined,
  });
}

const ADD = binaryOp("add", "arith", (dy) => [() => dy, () => dy]);
const SUBTRACT = binaryOp("subtract", "arith", (dy) => [() => dy, () => T(negative(dy))]);
const MULTIPLY = binaryOp("multiply", "arith", (dy, a, b) => [() => T(multiply(dy, b)), () => T(multiply(dy, a))]);
const DIVIDE = binaryOp("divide", "float", (dy, a, b) => [
  () => T(divide(dy, b)),
  () => T(negative(divide(multiply(dy, a), square(b)))),
]);
const FLOOR_DIVIDE = binaryOp("floorDivide", "arith", (dy, a, b) => [
  () => T(zerosLike(dy, a)),
  () => T(zerosLike(dy, b)),
]);
const MOD = binaryOp("mod", "arith", (dy, a, b) => [() => dy, () => T(negative(multiply(dy, floorDivide(a, b))))]);
const POWER = binaryOp("power", "arith", (dy, a, b, out) => [
  () => T(multiply(dy, multiply(b, power(a, subtract(b, 1))))),
  // d/db a^b = a^b log a, taken as 0 where a <= 0 (as JAX does for a == 0).
  () => T(multiply(dy, where(greater(a, 0), multiply(out, log(where(greater(a, 0), a, 1))), 0))),
]);
const MAXIMUM = binaryOp("maximum", "arith", (dy, a, b) => {
  const m = once(() => greaterEqual(a, b));
  return [() => T(where(m(), dy, 0)), () => T(where(m(), 0, dy))];
});
const MINIMUM = binaryOp("minimum", "arith", (dy, a, b) => {
  const m = once(() => lessEqual(a, b));
  return [() => T(where(m(), dy, 0)), () => T(where(m(), 0, dy))];
});
const ATAN2 = binaryOp("atan2", "float", (dy, a, b) => {
  const r = once(() => add(square(a), square(b)));
  return [() => T(divide(multiply(dy, b), r())), () => T(divide(multiply(dy, negative(a)), r()))];
});
const EQUAL = binaryOp("equal", "compare");
const NOT_EQUAL = binaryOp("notEqual", "compare");
const LESS = binaryOp("less", "compare");
const LESS_EQUAL = binaryOp("lessEqual", "compare");
const GREATER = binaryOp("greater", "compare");
const GREATER_EQUAL = binaryOp("greaterEqual", "compare");
const LOGICAL_AND = binaryOp("logicalAnd", "logical");
const LOGICAL_OR = binaryOp("logicalOr", "logical");

/** @inline */
type B = <A extends TensorInput, C extends TensorInput>(a: A, b: C) => Out<A | C>;
const bin =
  (op: OpDef): B =>
  (a, b) =>
    apply1(op, toAnyAll([a, b]), {}) as never;

export const add: B = bin(ADD);
export const subtract: B = bin(SUBTRACT);
export const multiply: B = bin(MULTIPLY);
/** True division: integer inputs give float32. */
export const divide: B = bin(DIVIDE);
/** Floor of the quotient, as Python's `//` (rounds toward negative infinity). */
export const floorDivide: B = bin(FLOOR_DIVIDE);
/** Remainder with the sign of the divisor, as Python's `%`. */
export const mod: B = bin(MOD);
export const power: B = bin(POWER);
export const maximum: B = bin(MAXIMUM);
export const minimum: B = bin(MINIMUM);
export const arctan2: B = bin(ATAN2);
export const equal: B = bin(EQUAL);
export const notEqual: B = bin(NOT_EQUAL);
export const less: B = bin(LESS);
export const lessEqual: B = bin(LESS_EQUAL);
export const greater: B = bin(GREATER);
export const greaterEqual: B = bin(GREATER_EQUAL);
export const logicalAnd: B = bin(LOGICAL_AND);
export const logicalOr: B = bin(LOGICAL_OR);

// ---------------------------------------------------------------- unary

type UnaryKind = "same" | "float" | "bool";

function unaryOp(
  name: string,
  kind: UnaryKind,
  grad?: (dy: Tensor, x: Tensor, out: Tensor) => Tensor,
  kernelName = name,
): OpDef {
  return defineOp({
    name,
    nonDifferentiable: grad === undefined,
    spec: ([x]: readonly Spec[]) => ({
      shape: x.shape,
      dtype: kind === "bool" ? "bool" : kind === "float" && !isFloat(x.dtype) ? "float32" : x.dtype,
    }),
    forward: ([x], _attrs, [o]) => {
      const out = Tensor.uninitialized(o.shape, o.dtype);
      kernels.unary(kernelName, kind === "bool" ? x : castTensor(x, o.dtype), out);
      return out;
    },
    grad: grad ? ([dy], { inputs: [x], outputs: [out] }: G) => [grad(dy, x, out)] : undefined,
  });
}

const zero = (dy: Tensor) => T(zerosLike(dy));

const NEGATIVE = unaryOp("negative", "same", (dy) => T(negative(dy)));
const SQUARE = unaryOp("square", "same", (dy, x) => T(multiply(dy, multiply(x, 2))));
const SQRT = unaryOp("sqrt", "float", (dy, _x, out) => T(divide(multiply(dy, 0.5), out)));
const RSQRT = unaryOp("rsqrt", "float", (dy, _x, out) => T(multiply(dy, multiply(-0.5, power(out, 3)))));
const EXP = unaryOp("exp", "float", (dy, _x, out) => T(multiply(dy, out)));
const EXPM1 = unaryOp("expm1", "float", (dy, _x, out) => T(multiply(dy, add(out, 1))));
const LOG = unaryOp("log", "float", (dy, x) => T(divide(dy, x)));
const LOG1P = unaryOp("log1p", "float", (dy, x) => T(divide(dy, add(x, 1))));
const ABS = unaryOp("abs", "same", (dy, x) => T(multiply(dy, sign(x))));
const SIGN = unaryOp("sign", "same", zero);
const FLOOR = unaryOp("floor", "same", zero);
const CEIL = unaryOp("ceil", "same", zero);
const ROUND = unaryOp("round", "same", zero);
const SIN = unaryOp("sin", "float", (dy, x) => T(multiply(dy, cos(x))));
const COS = unaryOp("cos", "float", (dy, x) => T(negative(multiply(dy, sin(x)))));
const TAN = unaryOp("tan", "float", (dy, _x, out) => T(multiply(dy, add(square(out), 1))));
const TANH = unaryOp("tanh", "float", (dy, _x, out) => T(multiply(dy, subtract(1, square(out)))));
const RECIPROCAL = unaryOp("reciprocal", "float", (dy, _x, out) => T(negative(multiply(dy, square(out)))));
const LOGICAL_NOT = unaryOp("logicalNot", "bool");
const ISNAN = unaryOp("isnan", "bool");
const ISFINITE = unaryOp("isfinite", "bool");

/** @inline */
type U = <A extends TensorInput>(x: A) => Out<A>;
const un =
  (op: OpDef): U =>
  (x) =>
    apply1(op, [toAny(x)], {}) as never;

export const negative: U = un(NEGATIVE);
export const square: U = un(SQUARE);
export const sqrt: U = un(SQRT);
export const rsqrt: U = un(RSQRT);
export const exp: U = un(EXP);
export const expm1: U = un(EXPM1);
export const log: U = un(LOG);
export const log1p: U = un(LOG1P);
export const abs: U = un(ABS);
export const sign: U = un(SIGN);
export const floor: U = un(FLOOR);
export const ceil: U = un(CEIL);
/** Rounds half to even, as NumPy and Keras do. */
export const round: U = un(ROUND);
export const sin: U = un(SIN);
export const cos: U = un(COS);
export const tan: U = un(TAN);
export const tanh: U = un(TANH);
export const reciprocal: U = un(RECIPROCAL);
export const logicalNot: U = un(LOGICAL_NOT);
export const isnan: U = un(ISNAN);
export const isfinite: U = un(ISFINITE);

// ---------------------------------------------------------------- cast, where, clip

const CAST = defineOp<{ dtype: DType }>({
  name: "cast",
  spec: ([x], { dtype }) => ({ shape: x.shape, dtype }),
  forward: ([x], { dtype }) => {
    const out = castTensor(x, dtype);
    return out === x ? new Tensor(x.data, x.shape, x.dtype) : out;
  },
  grad: ([dy], { inputs: [x] }) => [isFloat(x.dtype) ? castTensor(dy, x.dtype) : null],
});

export function cast<A extends TensorInput>(x: A, dtype: DType | string): Out<A> {
  return apply1(CAST, [toAny(x)], { dtype: standardizeDType(dtype, "ops.cast") }) as Out<A>;
}

const WHERE = defineOp({
  name: "where",
  spec: ([c, a, b]) => ({
    shape: broadcastShapes("ops.where", c.shape, a.shape, b.shape),
    dtype: promoteTypes(a.dtype, b.dtype),
  }),
  forward: ([c, a, b], _attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype); // the kernel writes every element
    kernels.where(c, castTensor(a, o.dtype), castTensor(b, o.dtype), out);
    return out;
  },
  grad: ([dy], { inputs: [c, a, b] }) => [
    null,
    unbroadcast(T(where(c, dy, 0)), a.shape),
    unbroadcast(T(where(c, 0, dy)), b.shape),
  ],
});

/** Picks from `x1` where `condition` is true and from `x2` elsewhere (all three broadcast). */
export function where<C extends TensorInput, A extends TensorInput, B2 extends TensorInput>(
  condition: C,
  x1: A,
  x2: B2,
): Out<C | A | B2> {
  const [a, b] = toAnyAll([x1, x2]);
  const c = toAny(condition);
  if (c.dtype !== "bool") {
    throw new TypeError(
      `ops.where: condition must be a bool tensor, received dtype ${c.dtype}. Compare first, e.g. ops.greater(x, 0).`,
    );
  }
  return apply1(WHERE, [c, a, b], {}) as never;
}

const CLIP = defineOp<{ min: number; max: number }>({
  name: "clip",
  spec: ([x]) => ({ shape: x.shape, dtype: x.dtype === "bool" ? "int32" : x.dtype }),
  forward: ([x], { min, max }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.clip(castTensor(x, o.dtype), min, max, out);
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { min, max } }) => [
    T(where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), dy, 0)),
  ],
});

/** Clips values to [xMin, xMax]. */
export function clip<A extends TensorInput>(x: A, xMin: number, xMax: number): Out<A> {
  if (!(xMin <= xMax)) throw new RangeError(`ops.clip: xMin (${xMin}) must not exceed xMax (${xMax}).`);
  return apply1(CLIP, [toAny(x)], { min: xMin, max: xMax }) as Out<A>;
}

function zerosLike(x: Tensor, like?: Tensor): Tensor {
  return Tensor.empty((like ?? x).shape, (like ?? x).dtype);
}
