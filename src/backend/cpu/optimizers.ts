/**
 * Fused optimizer updates: each kernel reads a parameter, its gradient and its slots and writes the
 * new values into freshly allocated outputs in one pass, with no temporaries. The update is never
 * differentiated, so no op is involved. The formulas are Keras 3's `update_step` (keras/src/optimizers)
 * with its decoupled weight decay folded in first: `x = p - p * decay` where `decay = weightDecay * lr`
 * (0 without weight decay), then the update is applied to `x`.
 *
 * Conventions for the native twin (same names, same argument order):
 * - Tensors: `p` parameter, `g` gradient (any float dtype; read as numbers), slot tensors, then the
 *   outputs (same shapes; `pOut` has p's dtype, slot outputs their slot's dtype). Inputs are never written, and each
 *   element of an input is read before the same element of any output is written, so an output may
 *   be its own input (the optimizer updates unexposed variables in place).
 * - An optional slot and its output are passed as `null` together (e.g. Adam without amsgrad).
 * - Scalars are plain numbers (double precision), computed once per step by the optimizer.
 */
import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/** SGD without momentum: `p' = x - lr * g`. */
function sgdUpdate(p: Tensor, g: Tensor, pOut: Tensor, lr: number, decay: number): void {
  const P = p.data;
  const G = g.data;
  const O = pOut.data;
  const n = P.length;
  for (let i = 0; i < n; i++) {
    const x = P[i] - P[i] * decay;
    O[i] = x - G[i] * lr;
  }
}

/**
 * SGD with momentum: `m' = momentum * m - lr * g`; `p' = x + m'`, or with Nesterov
 * `p' = x + momentum * m' - lr * g`.
 */
function sgdMomentumUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  pOut: Tensor,
  mOut: Tensor,
  lr: number,
  momentum: number,
  nesterov: boolean,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const M = m.data;
  const O = pOut.data;
  const MO = mOut.data;
  const n = P.length;
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const gi = G[i];
      const mi = M[i] * momentum - gi * lr;
      MO[i] = mi;
      const x = P[i] - P[i] * decay;
      O[i] = x + (MO[i] * momentum - gi * lr);
    }
  } else {
    for (let i = 0; i < n; i++) {
      MO[i] = M[i] * momentum - G[i] * lr;
      const x = P[i] - P[i] * decay;
      O[i] = x + MO[i];
    }
  }
}

/**
 * RMSprop: `vel' = rho * vel + (1 - rho) * g^2`; centered: `avg' = rho * avg + (1 - rho) * g` and
 * `denom = vel' - avg'^2 + eps`, else `denom = vel' + eps`; `inc = lr * g / sqrt(denom)`; with
 * momentum (`mom` non-null) `mom' = momentum * mom + inc`, `p' = x - mom'`, else `p' = x - inc`.
 */
function rmspropUpdate(
  p: Tensor,
  g: Tensor,
  vel: Tensor,
  mom: Tensor | null,
  avg: Tensor | null,
  pOut: Tensor,
  velOut: Tensor,
  momOut: Tensor | null,
  avgOut: Tensor | null,
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const V = vel.data;
  const O = pOut.data;
  const VO = velOut.data;
  const n = P.length;
  const r1 = 1 - rho;
  // The denominator is rounded to the parameter's dtype (as Keras stores it in a tensor).
  const round = O instanceof Float32Array ? Math.fround : (x: number) => x;
  const A = avg && avgOut ? avg.data : null;
  const AO = avg && avgOut ? avgOut.data : null;
  const M = mom && momOut ? mom.data : null;
  const MO = mom && momOut ? momOut.data : null;
  // One pass, each element read before it is written: outputs may be their inputs (in place).
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const pi = P[i];
    VO[i] = rho * V[i] + r1 * gi * gi;
    let denom: number;
    if (A && AO) {
      AO[i] = rho * A[i] + r1 * gi;
      denom = round(VO[i] - AO[i] * AO[i] + epsilon);
    } else denom = round(VO[i] + epsilon);
    if (M && MO) {
      MO[i] = momentum * M[i] + (lr * gi) / Math.sqrt(denom);
      O[i] = pi - pi * decay - MO[i];
    } else O[i] = pi - pi * decay - (lr * gi) / Math.sqrt(denom);
  }
}

/**
 * Adam (and AdamW): `m' = m + (g - m) * (1 - beta1)`, `v' = v + (g^2 - v) * (1 - beta2)`; with
 * amsgrad (`vhat` non-null) `vhat' = max(vhat, v')` replaces v'; `p' = x - m' * alpha / (sqrt(v') + eps)`
 * where `alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`, t = iterations + 1. In the variables'
 * precision, as Keras computes it: float32 variables round every operation to float32 (Math.fround
 * after each double operation is exactly the float32 operation) and flush subnormal values to zero,
 * as TensorFlow and XLA set the CPU to (a dead unit's momentum decays geometrically through the
 * subnormal range, where every operation on it took ~100x longer); the native kernel's vectorized
 * float32 loop, run with the CPU's flush-to-zero and denormals-are-zero modes, matches bit for bit.
 */
function adamUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  vhat: Tensor | null,
  pOut: Tensor,
  mOut: Tensor,
  vOut: Tensor,
  vhatOut: Tensor | null,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const M = m.data;
  const V = v.data;
  const O = pOut.data;
  const MO = mOut.data;
  const VO = vOut.data;
  const H = vhat && vhatOut ? vhat.data : null;
  const HO = vhat && vhatOut ? vhatOut.data : null;
  const n = P.length;
  const b1 = 1 - beta1;
  const b2 = 1 - beta2;
  if (p.dtype !== "float32") {
    for (let i = 0; i < n; i++) {
      const gi = G[i];
      const mo = M[i] + (gi - M[i]) * b1;
      const vo = V[i] + (gi * gi - V[i]) * b2;
      MO[i] = mo;
      VO[i] = vo;
      let s = vo;
      if (H && HO) {
        s = H[i] > vo ? H[i] : vo;
        HO[i] = s;
      }
      O[i] = P[i] - P[i] * decay - (mo * alpha) / (Math.sqrt(s) + epsilon);
    }
    return;
  }
  // One rounding function per loop: a variable holding Math.fround on some calls and an identity
  // function on others was not inlined (4x slower). z flushes inputs and results (DAZ and FTZ).
  const f = (v: number) => flush32(Math.fround(v));
  const z = flush32;
  const a = f(alpha);
  const c1 = f(b1);
  const c2 = f(b2);
  const eps = f(epsilon);
  const d = f(decay);
  for (let i = 0; i < n; i++) {
    const gi = z(G[i]);
    const mi = z(M[i]);
    const vi = z(V[i]);
    const mo = f(mi + f(f(gi - mi) * c1));
    const vo = f(vi + f(f(f(gi * gi) - vi) * c2));
    MO[i] = mo;
    VO[i] = vo;
    let s = vo;
    if (H && HO) {
      const hi = z(H[i]);
      s = hi > vo ? hi : vo;
      HO[i] = s;
    }
    const pi = z(P[i]);
    O[i] = f(f(pi - f(pi * d)) - f(f(mo * a) / f(f(Math.sqrt(s)) + eps)));
  }
}

/** The smallest normal float32. */
const MIN_NORMAL_F32 = 1.1754943508222875e-38;

/** A float32 value with subnormals flushed to a zero of the same sign (the CPU's FTZ/DAZ modes). */
function flush32(v: number): number {
  return v !== 0 && v > -MIN_NORMAL_F32 && v < MIN_NORMAL_F32 ? (v < 0 ? -0 : 0) : v;
}

/** Adagrad: `acc' = acc + g^2`, `p' = x - lr * g / sqrt(acc' + eps)`. */
function adagradUpdate(
  p: Tensor,
  g: Tensor,
  acc: Tensor,
  pOut: Tensor,
  accOut: Tensor,
  lr: number,
  epsilon: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const A = acc.data;
  const O = pOut.data;
  const AO = accOut.data;
  const n = P.length;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    AO[i] = A[i] + gi * gi;
    const x = P[i] - P[i] * decay;
    O[i] = x - (lr * gi) / Math.sqrt(AO[i] + epsilon);
  }
}

/**
 * Adadelta: `accG' = rho * accG + (1 - rho) * g^2`; `delta = -sqrt(accD + eps) * g / sqrt(accG' + eps)`;
 * `accD' = rho * accD + (1 - rho) * delta^2`; `p' = x + lr * delta`.
 */
function adadeltaUpdate(
  p: Tensor,
  g: Tensor,
  accGrad: Tensor,
  accDelta: Tensor,
  pOut: Tensor,
  accGradOut: Tensor,
  accDeltaOut: Tensor,
  lr: number,
  rho: number,
  epsilon: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const AG = accGrad.data;
  const AD = accDelta.data;
  const O = pOut.data;
  const AGO = accGradOut.data;
  const ADO = accDeltaOut.data;
  const n = P.length;
  const r1 = 1 - rho;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    AGO[i] = rho * AG[i] + r1 * gi * gi;
    const delta = -((Math.sqrt(AD[i] + epsilon) * gi) / Math.sqrt(AGO[i] + epsilon));
    ADO[i] = rho * AD[i] + r1 * delta * delta;
    const x = P[i] - P[i] * decay;
    O[i] = x + lr * delta;
  }
}

/**
 * Adamax: `m' = m + (g - m) * (1 - beta1)`, `u' = max(beta2 * u, |g|)`,
 * `p' = x - lr * m' / ((1 - beta1Power) * (u' + eps))` with beta1Power = beta1^t.
 */
function adamaxUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  u: Tensor,
  pOut: Tensor,
  mOut: Tensor,
  uOut: Tensor,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  beta1Power: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const M = m.data;
  const U = u.data;
  const O = pOut.data;
  const MO = mOut.data;
  const UO = uOut.data;
  const n = P.length;
  const b1 = 1 - beta1;
  const c = 1 - beta1Power;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    MO[i] = M[i] + (gi - M[i]) * b1;
    const bu = beta2 * U[i];
    const ag = Math.abs(gi);
    UO[i] = bu > ag ? bu : ag;
    const x = P[i] - P[i] * decay;
    O[i] = x - (lr * MO[i]) / (c * (UO[i] + epsilon));
  }
}

/**
 * Nadam: m' and v' as Adam; `mHat = c1 * m' + c2 * g`, `vHat = v' / (1 - beta2^t)`,
 * `p' = x - mHat * lr / (sqrt(vHat) + eps)`, where the optimizer computes
 * `c1 = u_{t+1} / (1 - uProduct_{t+1})` and `c2 = (1 - u_t) / (1 - uProduct_t)`.
 */
function nadamUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  pOut: Tensor,
  mOut: Tensor,
  vOut: Tensor,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  c1: number,
  c2: number,
  beta2Power: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const M = m.data;
  const V = v.data;
  const O = pOut.data;
  const MO = mOut.data;
  const VO = vOut.data;
  const n = P.length;
  const b1 = 1 - beta1;
  const b2 = 1 - beta2;
  const vc = 1 - beta2Power;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    MO[i] = M[i] + (gi - M[i]) * b1;
    VO[i] = V[i] + (gi * gi - V[i]) * b2;
    const mHat = c1 * MO[i] + c2 * gi;
    const vHat = VO[i] / vc;
    const x = P[i] - P[i] * decay;
    O[i] = x - (mHat * lr) / (Math.sqrt(vHat) + epsilon);
  }
}

/** Lion: `p' = x - lr * sign(m * beta1 + g * (1 - beta1))`, `m' = m * beta2 + g * (1 - beta2)`. */
function lionUpdate(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  pOut: Tensor,
  mOut: Tensor,
  lr: number,
  beta1: number,
  beta2: number,
  decay: number,
): void {
  const P = p.data;
  const G = g.data;
  const M = m.data;
  const O = pOut.data;
  const MO = mOut.data;
  const n = P.length;
  const b1 = 1 - beta1;
  const b2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = M[i];
    const c = mi * beta1 + gi * b1;
    const s = c > 0 ? 1 : c < 0 ? -1 : c; // sign, NaN stays NaN
    const x = P[i] - P[i] * decay;
    O[i] = x - lr * s;
    MO[i] = mi * beta2 + gi * b2;
  }
}

/** Exponential moving average of a parameter: `avg' = momentum * avg + (1 - momentum) * p`. */
function emaUpdate(avg: Tensor, p: Tensor, avgOut: Tensor, momentum: number): void {
  const A = avg.data;
  const P = p.data;
  const O = avgOut.data;
  const n = A.length;
  const c = 1 - momentum;
  for (let i = 0; i < n; i++) O[i] = momentum * A[i] + c * P[i];
}

// The table takes each kernel's own signature, so the declaration cannot drift from the code.
declare module "../kernels.js" {
  interface KernelTable {
    sgdUpdate: typeof sgdUpdate;
    sgdMomentumUpdate: typeof sgdMomentumUpdate;
    rmspropUpdate: typeof rmspropUpdate;
    adamUpdate: typeof adamUpdate;
    adagradUpdate: typeof adagradUpdate;
    adadeltaUpdate: typeof adadeltaUpdate;
    adamaxUpdate: typeof adamaxUpdate;
    nadamUpdate: typeof nadamUpdate;
    lionUpdate: typeof lionUpdate;
    emaUpdate: typeof emaUpdate;
  }
}

registerKernels("cpu", {
  sgdUpdate,
  sgdMomentumUpdate,
  rmspropUpdate,
  adamUpdate,
  adagradUpdate,
  adadeltaUpdate,
  adamaxUpdate,
  nadamUpdate,
  lionUpdate,
  emaUpdate,
});
