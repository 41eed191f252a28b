/**
 * Normalization ops of keras.ops (Keras 3's keras/src/ops/nn.py): moments and batchNormalization,
 * composed from element-wise ops and reductions (their gradients follow from those ops).
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

/** A per-channel parameter checked 1-D of size `x.shape[axis]`, in x's dtype, shaped to broadcast along `axis`. */
function channelParam(name: string, p: TensorInput, x: AnyTensor, axis: number): AnyTensor {
  let t = toAny(p);
  requireFloat("batchNormalization", t, name);
  const c = x.shape[axis];
  if (t.shape.length !== 1 || (c !== null && t.shape[0] !== null && t.shape[0] !== c)) {
    throw new Error(
      `ops.batchNormalization: ${name} must be 1-D of size ${c ?? "x.shape[axis]"} (axis ${axis} of x ${shapeToString(x.shape)}), received shape ${shapeToString(t.shape)}.`,
    );
  }
  if (t.dtype !== x.dtype) t = t instanceof Tensor ? castTensor(t, x.dtype) : cast(t, x.dtype);
  const shape = x.shape.map(() => 1);
  shape[axis] = -1;
  return reshape(t, shape);
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
  const t = toAny(x);
  requireFloat("batchNormalization", t);
  const ax = normalizeAxis("ops.batchNormalization", axis, t.shape.length);
  if (!(epsilon >= 0)) throw new RangeError(`ops.batchNormalization: epsilon must be >= 0, received ${epsilon}.`);
  const m = channelParam("mean", mean, t, ax);
  const v = channelParam("variance", variance, t, ax);
  // Fold the statistics into one multiplier and one shift per channel, as Keras does: x * inv + res.
  let inv = rsqrt(add(v, constant(epsilon, t)));
  if (scale !== undefined && scale !== null) inv = multiply(inv, channelParam("scale", scale, t, ax));
  let res = multiply(negative(m), inv);
  if (offset !== undefined && offset !== null) res = add(res, channelParam("offset", offset, t, ax));
  return add(multiply(t, inv), res) as Out<A>;
}
