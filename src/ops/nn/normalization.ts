/**
 * Normalization ops of keras.ops (Keras 3's keras/src/ops/nn.py): moments, composed from element-wise
 * ops and reductions, and batchNormalization, whose per-channel multiplier and shift are computed with
 * ops on the 1-D statistics and applied in one kernel pass (channelAffine, fused_normalization.ts).
 * The gradients follow from those ops.
 */
import { castTensor } from "../../backend/convert.js";
import { normalizeAxes, normalizeAxis, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { add, cast, multiply, negative, rsqrt, square, subtract } from "../elementwise.js";
import { mean as meanOf } from "../reduction.js";
import { toAny } from "../registry.js";
import { reshape, squeeze } from "../shape.js";
import type { AnyTensor, Out, TensorInput } from "../types.js";
import { constant, requireFloat } from "./float_args.js";
import { channelAffine } from "./fused_normalization.js";

/**
 * Mean and variance of `x` over `axes` (a number or a list; null: all axes). The variance is the
 * population variance, computed as the mean of squared deviations (two passes, stable where Keras's
 * E[x²] - E[x]² loses digits; the same value otherwise).
 */
export function moments<A extends TensorInput>(
  x: A,
  axes: number | readonly number[] | null,
  keepdims = false,
): [Out<A>, Out<A>] {
  const t = toAny(x);
  requireFloat("moments", t);
  const ax = normalizeAxes("ops.moments", axes, t.shape.length);
  const m = meanOf(t, ax, true);
  const variance = meanOf(square(subtract(t, m)), ax, keepdims);
  const mean = keepdims || ax.length === 0 ? m : squeeze(m, ax);
  return [mean as Out<A>, variance as Out<A>];
}

/** A per-channel parameter checked 1-D of size `x.shape[axis]`, in x's dtype. */
function channelParam(name: string, p: TensorInput, x: AnyTensor, axis: number): AnyTensor {
  const t = toAny(p);
  requireFloat("batchNormalization", t, name);
  const c = x.shape[axis];
  if (t.shape.length !== 1 || (c !== null && t.shape[0] !== null && t.shape[0] !== c)) {
    throw new Error(
      `ops.batchNormalization: ${name} must be 1-D of size ${c ?? "x.shape[axis]"} (axis ${axis} of x ${shapeToString(x.shape)}), received shape ${shapeToString(t.shape)}.`,
    );
  }
  if (t.dtype === x.dtype) return t;
  return t instanceof Tensor ? castTensor(t, x.dtype) : cast(t, x.dtype);
}

/** A 1-D per-channel tensor shaped to broadcast along `axis` of a tensor of rank `rank`. */
function alongAxis(t: AnyTensor, axis: number, rank: number): AnyTensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = -1;
  return reshape(t, shape);
}

/** Checks the arguments of batchNormalization and returns x, the normalized axis and the 1-D parameters. */
function batchNormArgs(
  x: TensorInput,
  mean: TensorInput,
  variance: TensorInput,
  axis: number,
  offset: TensorInput | null | undefined,
  scale: TensorInput | null | undefined,
  epsilon: number,
) {
  const t = toAny(x);
  requireFloat("batchNormalization", t);
  const ax = normalizeAxis("ops.batchNormalization", axis, t.shape.length);
  if (!(epsilon >= 0)) throw new RangeError(`ops.batchNormalization: epsilon must be >= 0, received ${epsilon}.`);
  const opt = (name: string, p: TensorInput | null | undefined) =>
    p === undefined || p === null ? null : channelParam(name, p, t, ax);
  return {
    t,
    ax,
    m: channelParam("mean", mean, t, ax),
    v: channelParam("variance", variance, t, ax),
    o: opt("offset", offset),
    s: opt("scale", scale),
  };
}

/**
 * Normalizes `x` with given statistics along `axis` (Keras 3's ops.batch_normalization):
 * (x - mean) / sqrt(variance + epsilon) * scale + offset, where mean, variance, offset and scale
 * are 1-D tensors of size x.shape[axis]. offset and scale may be omitted (null/undefined).
 */
export function batchNormalization<A extends TensorInput>(
  x: A,
  mean: TensorInput,
  variance: TensorInput,
  axis: number,
  offset?: TensorInput | null,
  scale?: TensorInput | null,
  epsilon = 1e-3,
): Out<A> {
  const { t, ax, m, v, o, s } = batchNormArgs(x, mean, variance, axis, offset, scale, epsilon);
  // Fold the statistics into one multiplier and one shift per channel, as Keras does: x * inv + res
  // (computed on the 1-D statistics, then applied to x in one pass).
  let inv = rsqrt(add(v, constant(epsilon, t)));
  if (s) inv = multiply(inv, s);
  let res = multiply(negative(m), inv);
  if (o) res = add(res, o);
  return channelAffine(t, inv, res, ax) as Out<A>;
}

/**
 * @internal batchNormalization as it was composed before channelAffine: broadcast element-wise ops
 * over x (two full passes and their temporaries). Kept for bench/normalization.ts, which compares
 * the layers' fused and composed paths.
 */
export function batchNormalizationComposed<A extends TensorInput>(
  x: A,
  mean: TensorInput,
  variance: TensorInput,
  axis: number,
  offset?: TensorInput | null,
  scale?: TensorInput | null,
  epsilon = 1e-3,
): Out<A> {
  const { t, ax, m, v, o, s } = batchNormArgs(x, mean, variance, axis, offset, scale, epsilon);
  const r = t.shape.length;
  let inv = rsqrt(add(alongAxis(v, ax, r), constant(epsilon, t)));
  if (s) inv = multiply(inv, alongAxis(s, ax, r));
  let res = multiply(negative(alongAxis(m, ax, r)), inv);
  if (o) res = add(res, alongAxis(o, ax, r));
  return add(multiply(t, inv), res) as Out<A>;
}
