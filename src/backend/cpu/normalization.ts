/**
 * Fused normalization kernels (batch and layer normalization, forward and backward). The input is
 * viewed as [P, C, Q] with the parameters (gamma, beta) along C:
 * - perChannel (batch normalization): one mean and variance per c, over P and Q;
 * - otherwise (layer normalization): one mean and variance per (p, q), over C (index p * Q + q).
 * Sums run in double precision, two passes (mean, then squared deviations), so float32 results are
 * the exactly rounded statistics for all practical purposes; the native twin (native/src/normalization.cc)
 * computes the same formulas in the same order, with the sums split differently (results equal
 * within float rounding).
 */
import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

export interface NormParams {
  perChannel: boolean;
  P: number;
  C: number;
  Q: number;
  epsilon: number;
}

declare module "../kernels.js" {
  interface KernelTable {
    /**
     * y = (x - mean) * invStd * gamma + beta with invStd = 1 / sqrt(variance + epsilon), writing the
     * batch statistics (population variance) to mean and variance (C values perChannel, else P * Q).
     * gamma and beta have C elements, or are null (1 and 0).
     */
    normalize(
      x: Tensor,
      gamma: Tensor | null,
      beta: Tensor | null,
      y: Tensor,
      mean: Tensor,
      variance: Tensor,
      p: NormParams,
    ): void;
    /**
     * Gradients of normalize given dy and the gradients of its statistics (null: zeros). Writes dx,
     * dgamma = sum(dy * xhat) and dbeta = sum(dy) (over everything but C) into the outputs given.
     */
    normalizeGrad(
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
    ): void;
    /** out = x * scale[c] + shift[c] (shift null: 0) for x viewed as [P, C, Q]. */
    channelAffine(x: Tensor, scale: Tensor, shift: Tensor | null, out: Tensor, P: number, C: number, Q: number): void;
  }
}

function normalize(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  y: Tensor,
  mean: Tensor,
  variance: Tensor,
  { perChannel, P, C, Q, epsilon }: NormParams,
): void {
  const X = x.data;
  const Y = y.data;
  const G = gamma?.data ?? null;
  const B = beta?.data ?? null;
  const M = mean.data;
  const V = variance.data;
  if (perChannel) {
    const n = P * Q;
    const s1 = new Float64Array(C);
    const s2 = new Float64Array(C);
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        const o = (p * C + c) * Q;
        let acc = 0;
        for (let q = 0; q < Q; q++) acc += X[o + q];
        s1[c] += acc;
      }
    }
    for (let c = 0; c < C; c++) s1[c] /= n;
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        const o = (p * C + c) * Q;
        const m = s1[c];
        let acc = 0;
        for (let q = 0; q < Q; q++) {
          const d = X[o + q] - m;
          acc += d * d;
        }
        s2[c] += acc;
      }
    }
    for (let c = 0; c < C; c++) {
      const v = s2[c] / n;
      M[c] = s1[c];
      V[c] = v;
      // Scale per channel; y = (x - mean) * a + beta.
      s2[c] = (1 / Math.sqrt(v + epsilon)) * (G ? G[c] : 1);
    }
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        const o = (p * C + c) * Q;
        const m = s1[c];
        const a = s2[c];
        const b = B ? B[c] : 0;
        for (let q = 0; q < Q; q++) Y[o + q] = (X[o + q] - m) * a + b;
      }
    }
    return;
  }
  const s1 = new Float64Array(Q);
  const s2 = new Float64Array(Q);
  for (let p = 0; p < P; p++) {
    const base = p * C * Q;
    s1.fill(0);
    s2.fill(0);
    for (let c = 0; c < C; c++) for (let q = 0; q < Q; q++) s1[q] += X[base + c * Q + q];
    for (let q = 0; q < Q; q++) s1[q] /= C;
    for (let c = 0; c < C; c++) {
      for (let q = 0; q < Q; q++) {
        const d = X[base + c * Q + q] - s1[q];
        s2[q] += d * d;
      }
    }
    for (let q = 0; q < Q; q++) {
      const v = s2[q] / C;
      M[p * Q + q] = s1[q];
      V[p * Q + q] = v;
      s2[q] = 1 / Math.sqrt(v + epsilon);
    }
    for (let c = 0; c < C; c++) {
      const g = G ? G[c] : 1;
      const b = B ? B[c] : 0;
      for (let q = 0; q < Q; q++) {
        const i = base + c * Q + q;
        Y[i] = (X[i] - s1[q]) * s2[q] * g + b;
      }
    }
  }
}

/**
 * With xc = x - mean, s = invStd, g = gamma * dy, n the group size, A = sum(g) / n and
 * K = sum(g * xc) / n over the group:
 *   dx = s * g - s * A - s^3 * K * xc + dmean / n + 2 / n * dvariance * xc
 * (the first three terms are the usual s * (g - mean(g) - xhat * mean(g * xhat))).
 */
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
  { perChannel, P, C, Q, epsilon }: NormParams,
): void {
  const X = x.data;
  const D = dy.data;
  const G = gamma?.data ?? null;
  const M = mean.data;
  const V = variance.data;
  const DM = dmean?.data ?? null;
  const DV = dvariance?.data ?? null;
  const DX = dx?.data ?? null;
  if (perChannel) {
    const n = P * Q;
    const sdy = new Float64Array(C);
    const sdyxc = new Float64Array(C);
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        const o = (p * C + c) * Q;
        const m = M[c];
        let a1 = 0;
        let a2 = 0;
        for (let q = 0; q < Q; q++) {
          const d = D[o + q];
          a1 += d;
          a2 += d * (X[o + q] - m);
        }
        sdy[c] += a1;
        sdyxc[c] += a2;
      }
    }
    // Per-channel coefficients of dx = a * dy + k * xc + c0.
    const ca = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const s = 1 / Math.sqrt(V[c] + epsilon);
      if (dbeta) dbeta.data[c] = sdy[c];
      if (dgamma) dgamma.data[c] = sdyxc[c] * s;
      const g = G ? G[c] : 1;
      ca[c] = s * g;
      const k = (2 / n) * (DV ? DV[c] : 0) - s * s * s * ((g * sdyxc[c]) / n);
      const c0 = (DM ? DM[c] : 0) / n - s * ((g * sdy[c]) / n);
      sdy[c] = k;
      sdyxc[c] = c0;
    }
    if (!DX) return;
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < C; c++) {
        const o = (p * C + c) * Q;
        const m = M[c];
        const a = ca[c];
        const k = sdy[c];
        const c0 = sdyxc[c];
        for (let q = 0; q < Q; q++) DX[o + q] = a * D[o + q] + k * (X[o + q] - m) + c0;
      }
    }
    return;
  }
  const dg = dgamma ? new Float64Array(C) : null;
  const db = dbeta ? new Float64Array(C) : null;
  const sA = new Float64Array(Q);
  const sK = new Float64Array(Q);
  const inv = new Float64Array(Q);
  for (let p = 0; p < P; p++) {
    const base = p * C * Q;
    const j0 = p * Q;
    sA.fill(0);
    sK.fill(0);
    for (let q = 0; q < Q; q++) inv[q] = 1 / Math.sqrt(V[j0 + q] + epsilon);
    for (let c = 0; c < C; c++) {
      const g = G ? G[c] : 1;
      let ag = 0;
      let ab = 0;
      for (let q = 0; q < Q; q++) {
        const i = base + c * Q + q;
        const d = D[i];
        const xc = X[i] - M[j0 + q];
        sA[q] += g * d;
        sK[q] += g * d * xc;
        ag += d * (xc * inv[q]);
        ab += d;
      }
      if (dg) dg[c] += ag;
      if (db) db[c] += ab;
    }
    if (!DX) continue;
    for (let q = 0; q < Q; q++) {
      const j = j0 + q;
      const s = inv[q];
      const k = (2 / C) * (DV ? DV[j] : 0) - s * s * s * (sK[q] / C);
      const c0 = (DM ? DM[j] : 0) / C - s * (sA[q] / C);
      const m = M[j];
      for (let c = 0; c < C; c++) {
        const i = base + c * Q + q;
        DX[i] = s * ((G ? G[c] : 1) * D[i]) + k * (X[i] - m) + c0;
      }
    }
  }
  if (dgamma && dg) dgamma.data.set(dg);
  if (dbeta && db) dbeta.data.set(db);
}

function channelAffine(x: Tensor, scale: Tensor, shift: Tensor | null, out: Tensor, P: number, C: number, Q: number) {
  const X = x.data;
  const O = out.data;
  const S = scale.data;
  const T = shift?.data ?? null;
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < C; c++) {
      const o = (p * C + c) * Q;
      const a = S[c];
      const b = T ? T[c] : 0;
      for (let q = 0; q < Q; q++) O[o + q] = X[o + q] * a + b;
    }
  }
}

registerKernels("cpu", { normalize, normalizeGrad, channelAffine });
