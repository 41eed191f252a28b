/**
 * Native twins of the fused normalization kernels (src/backend/cpu/normalization.ts): the same
 * formulas in double, split over the addon's pool; results equal within float rounding (the sums
 * are added in another order). float32 only; small inputs and other dtypes run the TypeScript kernel.
 */
import "../cpu/normalization.js";
import type { NormParams } from "../cpu/normalization.js";
import { type KernelTable, backendKernels, registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { addon, isF32, thresholds } from "./addon.js";

const cpu = backendKernels("cpu") as KernelTable;

const f = (t: Tensor) => t.data as Float32Array;
const orNull = (t: Tensor | null) => (t ? f(t) : null);
/** Whether the native kernel takes the call: big enough and every tensor given float32. */
const takes = (x: Tensor, ...ts: (Tensor | null)[]) =>
  x.size >= thresholds.normalize && ts.every((t) => !t || isF32(t));

function normalize(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  y: Tensor,
  mean: Tensor,
  variance: Tensor,
  p: NormParams,
): void {
  if (!takes(x, x, gamma, beta, y, mean, variance)) {
    cpu.normalize(x, gamma, beta, y, mean, variance, p);
    return;
  }
  addon!.normalize(
    p.perChannel,
    f(x),
    orNull(gamma),
    orNull(beta),
    f(y),
    f(mean),
    f(variance),
    p.P,
    p.C,
    p.Q,
    p.epsilon,
  );
}

function normalizeGrad(
  x: Tensor,
  gamma: Tensor | null,
  mean: Tensor,
  variance: Tensor,
  dy: Tensor,
  dmean: Tensor | null,
  dvariance: Tensor | null,
  dx: Tensor | null,
  dgamma: Tensor | null,
  dbeta: Tensor | null,
  p: NormParams,
): void {
  if (!takes(x, x, gamma, mean, variance, dy, dmean, dvariance, dx, dgamma, dbeta)) {
    cpu.normalizeGrad(x, gamma, mean, variance, dy, dmean, dvariance, dx, dgamma, dbeta, p);
    return;
  }
  addon!.normalizeGrad(
    p.perChannel,
    f(x),
    orNull(gamma),
    f(mean),
    f(variance),
    f(dy),
    orNull(dmean),
    orNull(dvariance),
    orNull(dx),
    orNull(dgamma),
    orNull(dbeta),
    p.P,
    p.C,
    p.Q,
    p.epsilon,
  );
}

function channelAffine(x: Tensor, scale: Tensor, shift: Tensor | null, out: Tensor, P: number, C: number, Q: number) {
  if (!takes(x, x, scale, shift, out)) cpu.channelAffine(x, scale, shift, out, P, C, Q);
  else addon!.channelAffine(f(x), f(scale), orNull(shift), f(out), P, C, Q);
}

if (addon) registerKernels("native", { normalize, normalizeGrad, channelAffine });
