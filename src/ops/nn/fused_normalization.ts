/**
 * Fused normalization ops: batch statistics and normalization in one kernel, and their gradient in
 * one kernel, for BatchNormalization (training) and LayerNormalization; plus the per-channel affine
 * map of batch normalization with given statistics. Not part of keras.ops (keras.ops.moments and
 * batch_normalization are in normalization.ts); the layers call them.
 *
 * The input is viewed as [P, C, Q] where C is a block of consecutive axes [lo, hi) holding the
 * parameters gamma and beta (shape x.shape[lo:hi]):
 * - batch normalization (perChannel): C is the channel axis; statistics per channel over the rest;
 * - layer normalization: C is the normalized axes; statistics per (p, q) over them, shaped as x
 *   with those axes set to 1 (keepdims).
 * Outputs: [y, mean, variance] (population variance); y = (x - mean) / sqrt(variance + epsilon) * gamma + beta.
 * The gradient (normalizeGrad) is an op too, taking the gradients of mean and variance as well, and
 * its own gradient is written with ops, so gradients of gradients work.
 */
import "../../backend/cpu/normalization.js";
import { castTensor } from "../../backend/convert.js";
import type { NormParams } from "../../backend/cpu/normalization.js";
import { kernels } from "../../backend/kernels.js";
import { type SpecShape, normalizeAxes, normalizeAxis, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { add, cast, multiply, negative, rsqrt, square, subtract } from "../elementwise.js";
import { sum } from "../reduction.js";
import { apply1, applyOp, defineOp, toAny } from "../registry.js";
import { broadcastTo, reshape } from "../shape.js";
import type { AnyTensor, Spec, TensorInput } from "../types.js";
import { constant, requireFloat } from "./float_args.js";

interface NormAttrs {
  op: string;
  perChannel: boolean;
  /** The axes [lo, hi) of x along which gamma and beta lie. */
  lo: number;
  hi: number;
  epsilon: number;
  hasGamma: boolean;
  hasBeta: boolean;
}

/** Which gradients normalizeGrad computes (its outputs, in this order). */
interface Want {
  dx: boolean;
  dgamma: boolean;
  dbeta: boolean;
}

type GradAttrs = NormAttrs & { want: Want };

const T = (x: AnyTensor) => x as Tensor;
const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);

function statShape(shape: SpecShape, a: NormAttrs): SpecShape {
  return a.perChannel ? shape.slice(a.lo, a.hi) : shape.map((d, i) => (i >= a.lo && i < a.hi ? 1 : d));
}

function params(shape: readonly number[], a: NormAttrs): NormParams {
  return {
    perChannel: a.perChannel,
    P: prod(shape.slice(0, a.lo)),
    C: prod(shape.slice(a.lo, a.hi)),
    Q: prod(shape.slice(a.hi)),
    epsilon: a.epsilon,
  };
}

function checkParam(a: NormAttrs, x: Spec, p: Spec, name: string): void {
  const want = x.shape.slice(a.lo, a.hi);
  const ok = p.shape.length === want.length && p.shape.every((d, i) => d === null || want[i] === null || d === want[i]);
  if (!ok || p.dtype !== x.dtype) {
    throw new Error(
      `${a.op}: ${name} must have shape ${shapeToString(want)} and x's dtype ${x.dtype}, received shape ${shapeToString(p.shape)} and dtype ${p.dtype}.`,
    );
  }
}

const NORMALIZE = defineOp<NormAttrs>({
  name: "normalize",
  spec: (inputs, a) => {
    const x = inputs[0];
    if (a.hasGamma) checkParam(a, x, inputs[1], "gamma");
    if (a.hasBeta) checkParam(a, x, inputs[a.hasGamma ? 2 : 1], "beta");
    const s = { shape: statShape(x.shape, a), dtype: x.dtype };
    return [{ shape: x.shape, dtype: x.dtype }, s, { ...s }];
  },
  forward: (inputs, a, [oy, os]) => {
    const x = inputs[0];
    const gamma = a.hasGamma ? inputs[1] : null;
    const beta = a.hasBeta ? inputs[a.hasGamma ? 2 : 1] : null;
    const y = Tensor.uninitialized(oy.shape, oy.dtype);
    const mean = Tensor.empty(os.shape, os.dtype);
    const variance = Tensor.empty(os.shape, os.dtype);
    kernels.normalize(x, gamma, beta, y, mean, variance, params(x.shape, a));
    return [y, mean, variance];
  },
  grad: ([dy, dmean, dvariance], { inputs, outputs: [, mean, variance], attrs: a, needsGrad }) => {
    const bi = a.hasGamma ? 2 : 1;
    const want: Want = { dx: needsGrad[0], dgamma: a.hasGamma && needsGrad[1], dbeta: a.hasBeta && needsGrad[bi] };
    const out: (Tensor | null)[] = inputs.map(() => null);
    if (!want.dx && !want.dgamma && !want.dbeta) return out;
    const gamma = a.hasGamma ? inputs[1] : null;
    const g = normalizeGrad(inputs[0], gamma, mean, variance, dy, dmean, dvariance, a, want);
    out[0] = g.dx;
    if (a.hasGamma) out[1] = g.dgamma;
    if (a.hasBeta) out[bi] = g.dbeta;
    return out;
  },
});

const NORMALIZE_GRAD = defineOp<GradAttrs>({
  name: "normalizeGrad",
  spec: (inputs, a) => {
    const x = inputs[0];
    const out: Spec[] = [];
    if (a.want.dx) out.push({ shape: x.shape, dtype: x.dtype });
    const p = { shape: x.shape.slice(a.lo, a.hi), dtype: x.dtype };
    if (a.want.dgamma) out.push(p);
    if (a.want.dbeta) out.push({ ...p });
    return out;
  },
  forward: (inputs, a, specs) => {
    const { x, gamma, mean, variance, dy, dmean, dvariance } = unpack(inputs, a);
    const outs = specs.map((s, i) =>
      i === 0 && a.want.dx ? Tensor.uninitialized(s.shape, s.dtype) : Tensor.empty(s.shape, s.dtype),
    );
    let k = 0;
    const dx = a.want.dx ? outs[k++] : null;
    const dgamma = a.want.dgamma ? outs[k++] : null;
    const dbeta = a.want.dbeta ? outs[k++] : null;
    kernels.normalizeGrad(x, gamma, mean, variance, dy, dmean, dvariance, dx, dgamma, dbeta, params(x.shape, a));
    return outs;
  },
  grad: (cots, ctx) => normalizeGradGrad(cots, ctx.inputs, ctx.attrs, ctx.needsGrad),
});

function unpack(inputs: readonly Tensor[], a: NormAttrs) {
  const gamma = a.hasGamma ? inputs[1] : null;
  const k = a.hasGamma ? 2 : 1;
  const [mean, variance, dy, dmean, dvariance] = inputs.slice(k);
  return { x: inputs[0], gamma, mean, variance, dy, dmean, dvariance };
}

/** The gradients of normalize as one op (dx, dgamma, dbeta as asked by `want`; the others null). */
function normalizeGrad(
  x: Tensor,
  gamma: Tensor | null,
  mean: Tensor,
  variance: Tensor,
  dy: Tensor,
  dmean: Tensor,
  dvariance: Tensor,
  a: NormAttrs,
  want: Want,
): { dx: Tensor | null; dgamma: Tensor | null; dbeta: Tensor | null } {
  const inputs = [x, ...(gamma ? [gamma] : []), mean, variance, dy, dmean, dvariance];
  const outs = applyOp(NORMALIZE_GRAD, inputs, { ...a, want }) as Tensor[];
  let k = 0;
  return {
    dx: want.dx ? outs[k++] : null,
    dgamma: want.dgamma ? outs[k++] : null,
    dbeta: want.dbeta ? outs[k++] : null,
  };
}

/**
 * The vector-Jacobian product of normalizeGrad, written with ops on the [P, C, Q] view. With
 * s = (v + eps)^-1/2, xc = x - mean, g = gamma * dy, n the group size, G(.) the sum over a group,
 * A = G(g) / n, K = G(g * xc) / n, normalizeGrad computes
 *   dx = s * g - s * A - s^3 * K * xc + dmean / n + 2 / n * dv * xc,
 *   dgamma = sum over P, Q of dy * xc * s,  dbeta = sum over P, Q of dy.
 * Given cotangents X, Gm, Bt of (dx, dgamma, dbeta), with SX = G(X) and D = G(xc * X):
 *   g-bar  = s X - s / n SX - s^3 / n D xc
 *   xc-bar = -s^3 K X - s^3 D / n g + 2 / n dv X + s Gm dy
 *   s-bar  = G(g X) - A SX - 3 s^2 K D + G(Gm dy xc)
 * then dy-bar = gamma g-bar + s xc Gm + Bt, gamma-bar = sum(dy g-bar), x-bar = xc-bar,
 * mean-bar = -G(xc-bar), v-bar = -s^3 / 2 s-bar, dmean-bar = SX / n, dv-bar = 2 D / n.
 */
function normalizeGradGrad(
  cots: Tensor[],
  inputs: readonly Tensor[],
  a: GradAttrs,
  needsGrad: readonly boolean[],
): (Tensor | null)[] {
  const { x, gamma, mean, variance, dy, dvariance } = unpack(inputs, a);
  const { P, C, Q } = params(x.shape, a);
  const n = a.perChannel ? P * Q : C;
  const R = a.perChannel ? [0, 2] : [1];
  const view = [P, C, Q];
  const statView = a.perChannel ? [1, C, 1] : [P, 1, Q];
  const v3 = (t: Tensor) => T(reshape(t, view));
  const vs = (t: Tensor) => T(reshape(t, statView));
  const vp = (t: Tensor) => T(reshape(t, [1, C, 1]));
  const G = (t: AnyTensor) => T(sum(t, R, true));
  const k = (v: number) => constant(v, x);
  const plus = (acc: Tensor | null, t: AnyTensor): Tensor => (acc ? T(add(acc, t)) : T(t));
  let ci = 0;
  const X = a.want.dx ? v3(cots[ci++]) : null;
  const Gm = a.want.dgamma ? vp(cots[ci++]) : null;
  const Bt = a.want.dbeta ? vp(cots[ci++]) : null;

  const dy3 = v3(dy);
  const s = T(rsqrt(add(vs(variance), k(a.epsilon))));
  const s3 = T(multiply(s, square(s)));
  const xc = T(subtract(v3(x), vs(mean)));
  const gamma3 = gamma ? vp(gamma) : null;
  const g = gamma3 ? T(multiply(gamma3, dy3)) : dy3;
  let gBar: Tensor | null = null;
  let xcBar: Tensor | null = null;
  let sBar: Tensor | null = null;
  let dmeanBar: Tensor | null = null;
  let dvBar: Tensor | null = null;
  if (X) {
    const SX = G(X);
    const D = G(multiply(xc, X));
    const A = multiply(G(g), k(1 / n));
    const K = T(multiply(G(multiply(g, xc)), k(1 / n)));
    const s3D = T(multiply(s3, multiply(D, k(1 / n))));
    gBar = T(subtract(subtract(multiply(s, X), multiply(multiply(s, k(1 / n)), SX)), multiply(s3D, xc)));
    xcBar = T(
      add(
        subtract(negative(multiply(multiply(s3, K), X)), multiply(s3D, g)),
        multiply(multiply(vs(dvariance), k(2 / n)), X),
      ),
    );
    sBar = T(
      subtract(subtract(G(multiply(g, X)), multiply(A, SX)), multiply(multiply(k(3), square(s)), multiply(K, D))),
    );
    dmeanBar = T(multiply(SX, k(1 / n)));
    dvBar = T(multiply(D, k(2 / n)));
  }
  let dyBar: Tensor | null = null;
  if (Gm) {
    const sGm = multiply(s, Gm);
    dyBar = plus(dyBar, multiply(sGm, xc));
    xcBar = plus(xcBar, multiply(sGm, dy3));
    sBar = plus(sBar, G(multiply(multiply(Gm, dy3), xc)));
  }
  if (Bt) dyBar = plus(dyBar, broadcastTo(Bt, view));
  let gammaBar: Tensor | null = null;
  if (gBar) {
    dyBar = plus(dyBar, gamma3 ? multiply(gamma3, gBar) : gBar);
    if (gamma) gammaBar = T(reshape(sum(multiply(dy3, gBar), [0, 2]), gamma.shape));
  }
  const statShape = mean.shape;
  const meanBar = xcBar ? T(reshape(negative(G(xcBar)), statShape)) : null;
  const vBar = sBar ? T(reshape(multiply(multiply(s3, k(-0.5)), sBar), statShape)) : null;
  const xBar = xcBar ? T(reshape(xcBar, x.shape)) : null;
  const out = [
    xBar,
    ...(gamma ? [gammaBar] : []),
    meanBar,
    vBar,
    dyBar ? T(reshape(dyBar, x.shape)) : null,
    dmeanBar ? T(reshape(dmeanBar, statShape)) : null,
    dvBar ? T(reshape(dvBar, statShape)) : null,
  ];
  return out.map((t, i) => (needsGrad[i] ? t : null));
}

// ---------------------------------------------------------------- channel affine

interface AffineAttrs {
  axis: number;
  hasShift: boolean;
}

function affineParams(shape: readonly number[], axis: number): [number, number, number] {
  return [prod(shape.slice(0, axis)), shape[axis], prod(shape.slice(axis + 1))];
}

const CHANNEL_AFFINE = defineOp<AffineAttrs>({
  name: "channelAffine",
  spec: ([x], { axis }) => {
    if (x.shape[axis] === undefined) throw new Error(`ops.channelAffine: axis ${axis} is out of range.`);
    return { shape: x.shape, dtype: x.dtype };
  },
  forward: ([x, scale, shift], { axis, hasShift }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.channelAffine(x, scale, hasShift ? shift : null, out, ...affineParams(x.shape, axis));
    return out;
  },
  grad: ([dy], { inputs: [x, scale], attrs: { axis, hasShift }, needsGrad }) => {
    const R = x.shape.map((_, i) => i).filter((i) => i !== axis);
    return [
      needsGrad[0] ? channelAffine(dy, scale, null, axis) : null,
      needsGrad[1] ? T(sum(multiply(dy, x), R)) : null,
      ...(hasShift ? [needsGrad[2] ? T(sum(dy, R)) : null] : []),
    ];
  },
});

/**
 * x * scale + shift with scale and shift 1-D along `axis` (shift null: none), in one kernel pass.
 * scale and shift must be x's dtype and of size x.shape[axis] (the caller checks).
 */
export function channelAffine<A extends AnyTensor>(x: A, scale: AnyTensor, shift: AnyTensor | null, axis: number): A {
  const inputs = shift ? [x, scale, shift] : [x, scale];
  return apply1(CHANNEL_AFFINE, inputs, { axis, hasShift: shift !== null }) as A;
}

// ---------------------------------------------------------------- public functions

/** gamma or beta as a tensor in x's dtype (cast as an op, so its gradient flows), or null. */
function param(p: TensorInput | null | undefined, x: AnyTensor, op: string, name: string): AnyTensor | null {
  if (p === null || p === undefined) return null;
  const t = toAny(p);
  requireFloat(op, t, name);
  if (t.dtype === x.dtype) return t;
  return t instanceof Tensor ? castTensor(t, x.dtype) : cast(t, x.dtype);
}

function run(
  x: TensorInput,
  gamma: TensorInput | null | undefined,
  beta: TensorInput | null | undefined,
  epsilon: number,
  attrs: (t: AnyTensor) => Pick<NormAttrs, "op" | "perChannel" | "lo" | "hi">,
): [AnyTensor, AnyTensor, AnyTensor] {
  const t = toAny(x);
  const base = attrs(t);
  requireFloat(base.op.replace(/^ops\./, ""), t);
  if (!(epsilon >= 0)) throw new RangeError(`${base.op}: epsilon must be >= 0, received ${epsilon}.`);
  const g = param(gamma, t, base.op, "gamma");
  const b = param(beta, t, base.op, "beta");
  const inputs = [t, ...(g ? [g] : []), ...(b ? [b] : [])];
  const outs = applyOp(NORMALIZE, inputs, { ...base, epsilon, hasGamma: g !== null, hasBeta: b !== null });
  return outs as [AnyTensor, AnyTensor, AnyTensor];
}

/**
 * Batch normalization with the batch's statistics (BatchNormalization in training): returns
 * [y, mean, variance] with mean and variance ([size of axis]) over every axis but `axis`, and
 * y = (x - mean) / sqrt(variance + epsilon) * gamma + beta. gamma and beta (1-D) may be null.
 */
export function fusedBatchNorm<A extends AnyTensor>(
  x: A,
  gamma: TensorInput | null | undefined,
  beta: TensorInput | null | undefined,
  axis: number,
  epsilon: number,
): [A, A, A] {
  return run(x, gamma, beta, epsilon, (t) => {
    const op = "ops.fusedBatchNorm";
    const lo = normalizeAxis(op, axis, t.shape.length);
    return { op, perChannel: true, lo, hi: lo + 1 };
  }) as [A, A, A];
}

/** Whether `axes` (of a tensor of rank `rank`) are consecutive once normalized, as fusedLayerNorm needs. */
export function consecutiveAxes(axes: number | readonly number[], rank: number): boolean {
  const ax = normalizeAxes("consecutiveAxes", axes, rank).sort((p, q) => p - q);
  return ax.length > 0 && ax[ax.length - 1] - ax[0] === ax.length - 1;
}

/**
 * Layer normalization over consecutive `axes`: returns [y, mean, variance] with mean and variance
 * per position of the other axes (shaped as x with `axes` set to 1), and
 * y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, gamma and beta of shape x.shape[axes] (or null).
 */
export function fusedLayerNorm<A extends AnyTensor>(
  x: A,
  gamma: TensorInput | null | undefined,
  beta: TensorInput | null | undefined,
  axes: number | readonly number[],
  epsilon: number,
): [A, A, A] {
  return run(x, gamma, beta, epsilon, (t) => {
    const op = "ops.fusedLayerNorm";
    const ax = normalizeAxes(op, axes, t.shape.length).sort((p, q) => p - q);
    if (ax.length === 0 || ax[ax.length - 1] - ax[0] !== ax.length - 1) {
      throw new Error(`${op}: the normalized axes must be consecutive, received ${JSON.stringify(axes)}.`);
    }
    return { op, perChannel: false, lo: ax[0], hi: ax[ax.length - 1] + 1 };
  }) as [A, A, A];
}
