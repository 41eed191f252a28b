/**
 * Max and average pooling with Keras 3's signatures (keras.ops.max_pool, average_pool), 1-d to 3-d.
 * Average pooling with "same" padding divides by the number of window positions inside the input,
 * as TensorFlow and Keras do. The backward passes are ops too (maxPoolGrad, maxPoolGradGrad,
 * avgPoolGrad), each differentiable, so gradients of gradients work.
 */
import "../../backend/cpu/pooling.js";
import type { PoolParams } from "../../backend/cpu/pooling.js";
import { kernels } from "../../backend/kernels.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { apply1, defineOp, toAny } from "../registry.js";
import type { AnyTensor, Out, Spec, TensorInput } from "../types.js";
import {
  channelsToFirst,
  channelsToLast,
  checkInput,
  type Padding,
  resolvePads,
  spatialTuple,
  standardizeDataFormat,
  standardizePadding,
  windowOutSize,
} from "./conv_utils.js";

export type { PoolParams };

interface PoolAttrs {
  poolSize: number[];
  strides: number[];
  padding: Padding;
  opName: string;
}

const T = (x: AnyTensor) => x as Tensor;

function poolSpec([x]: readonly Spec[], { poolSize, strides, padding, opName: op }: PoolAttrs): Spec {
  const n = checkInput(op, x);
  const out: SpecShape = [x.shape[0]];
  for (let i = 0; i < n; i++) {
    const size = windowOutSize(x.shape[i + 1], poolSize[i], strides[i], padding, i);
    if (size !== null && size < 1) {
      throw new Error(
        `${op}: the pool size ${poolSize[i]} does not fit in spatial axis ${i} of the input (size ${x.shape[i + 1]}) ` +
          `with padding=${JSON.stringify(padding)}: the output size would be ${size}, received inputs shape ${shapeToString(x.shape)}.`,
      );
    }
    out.push(size);
  }
  out.push(x.shape[n + 1]);
  return { shape: out, dtype: x.dtype };
}

function poolParams(xShape: readonly number[], a: PoolAttrs): PoolParams {
  const pads = resolvePads(a.padding, xShape.slice(1, -1), a.poolSize, a.strides);
  return { poolSize: a.poolSize, strides: a.strides, padBefore: pads.before, padAfter: pads.after };
}

const explicitAttrs = (p: PoolParams, opName: string): PoolAttrs => ({
  poolSize: p.poolSize,
  strides: p.strides,
  padding: { before: p.padBefore, after: p.padAfter },
  opName,
});

// ---------------------------------------------------------------- max

const MAX_POOL = defineOp<PoolAttrs>({
  name: "maxPool",
  spec: poolSpec,
  forward: ([x], attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.maxPool(x, out, poolParams(x.shape, attrs));
    return out;
  },
  grad: ([dy], { inputs: [x], attrs }) => [maxPoolGrad(x, dy, poolParams(x.shape, attrs))],
});

const MAX_POOL_GRAD = defineOp<{ p: PoolParams }>({
  name: "maxPoolGrad",
  spec: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  forward: ([x, dy], { p }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.maxPoolGrad(x, dy, out, p);
    return out;
  },
  // Linear in dy, piecewise constant in x (the routing does not move under small changes).
  grad: ([ddx], { inputs: [x], attrs: { p } }) => [null, maxPoolGradGrad(x, ddx, p)],
});

const MAX_POOL_GRAD_GRAD = defineOp<{ p: PoolParams }>({
  name: "maxPoolGradGrad",
  spec: ([x], { p }) => poolSpec([x], explicitAttrs(p, "ops.maxPoolGradGrad")),
  forward: ([x, ddx], { p }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.maxPoolGradGrad(x, ddx, out, p);
    return out;
  },
  grad: ([dz], { inputs: [x], attrs: { p } }) => [null, maxPoolGrad(x, dz, p)],
});

/** Gradient of max pooling with respect to its input `x`, as an op. */
export function maxPoolGrad(x: Tensor, dy: Tensor, p: PoolParams): Tensor {
  return T(apply1(MAX_POOL_GRAD, [x, dy], { p }));
}

/** The transpose of maxPoolGrad in its dy argument: gathers ddx at each window's maximum. */
export function maxPoolGradGrad(x: Tensor, ddx: Tensor, p: PoolParams): Tensor {
  return T(apply1(MAX_POOL_GRAD_GRAD, [x, ddx], { p }));
}

// ---------------------------------------------------------------- average

const AVG_POOL = defineOp<PoolAttrs>({
  name: "averagePool",
  spec: poolSpec,
  forward: ([x], attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.avgPool(x, out, poolParams(x.shape, attrs));
    return out;
  },
  grad: ([dy], { inputs: [x], attrs }) => [avgPoolGrad(dy, x.shape.slice(1, -1), poolParams(x.shape, attrs))],
});

const AVG_POOL_GRAD = defineOp<{ p: PoolParams; inSpatial: number[] }>({
  name: "avgPoolGrad",
  spec: ([dy], { inSpatial }) => ({
    shape: [dy.shape[0], ...inSpatial, dy.shape[dy.shape.length - 1]],
    dtype: dy.dtype,
  }),
  forward: ([dy], { p }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.avgPoolGrad(dy, out, p);
    return out;
  },
  // Linear: its adjoint is average pooling with the same explicit padding (same divisors).
  grad: ([ddx], { attrs: { p } }) => [T(apply1(AVG_POOL, [ddx], explicitAttrs(p, "ops.averagePool")))],
});

/** Gradient of average pooling with respect to its input, as an op. */
export function avgPoolGrad(dy: Tensor, inSpatial: readonly number[], p: PoolParams): Tensor {
  return T(apply1(AVG_POOL_GRAD, [dy], { p, inSpatial: inSpatial.slice() }));
}

// ---------------------------------------------------------------- public API

function pool(
  op: string,
  def: typeof MAX_POOL,
  inputs: TensorInput,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null | undefined,
  padding: string,
  dataFormat: string | null | undefined,
): AnyTensor {
  let x = toAny(inputs);
  const n = checkInput(op, x);
  const size = spatialTuple(op, "poolSize", poolSize, n);
  const s = strides === null || strides === undefined ? size : spatialTuple(op, "strides", strides, n);
  const pad = standardizePadding(op, padding);
  const first = standardizeDataFormat(op, dataFormat) === "channels_first";
  if (first) x = channelsToLast(x);
  const y = apply1(def, [x], { poolSize: size, strides: s, padding: pad, opName: op });
  return first ? channelsToFirst(y) : y;
}

/**
 * Max pooling, as keras.ops.max_pool: `poolSize` and `strides` (default: poolSize) are an int or one
 * int per spatial axis; padding "valid" or "same"; dataFormat "channels_last" (default) or "channels_first".
 */
export function maxPool<A extends TensorInput>(
  inputs: A,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null = null,
  padding = "valid",
  dataFormat: string | null = null,
): Out<A> {
  return pool("ops.maxPool", MAX_POOL, inputs, poolSize, strides, padding, dataFormat) as Out<A>;
}

/** Average pooling, as keras.ops.average_pool ("same" padding averages over the positions inside the input). */
export function averagePool<A extends TensorInput>(
  inputs: A,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null = null,
  padding = "valid",
  dataFormat: string | null = null,
): Out<A> {
  return pool("ops.averagePool", AVG_POOL, inputs, poolSize, strides, padding, dataFormat) as Out<A>;
}
