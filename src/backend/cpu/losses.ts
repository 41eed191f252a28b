import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/**
 * Fused categorical crossentropy on probabilities (Keras's formula: output divided by its sum
 * along the class axis, clipped to [eps, 1 - eps], then -sum(target * log)): one pass per sample
 * instead of eight ops forward and a dozen backward. Tensors are viewed as [outer, classes, inner]
 * (the class axis in the middle; samples are [outer, inner]). Each intermediate is rounded to the
 * tensors' dtype, as the composed ops round their outputs, so that the values match theirs.
 */

/** Rounds to float32 when `f32`, else leaves the double (float64 tensors). */
const round = (v: number, f32: boolean) => (f32 ? Math.fround(v) : v);

/** What both kernels need: the rounding, the clip bounds in the tensors' dtype, the class count. */
function setup(p: Tensor, samples: number, epsilon: number) {
  const f32 = p.dtype === "float32";
  const classes = samples === 0 ? 0 : p.size / samples;
  return { f32, lo: round(epsilon, f32), hi: round(1 - epsilon, f32), classes };
}

/** Where sample o's classes start in [outer, classes, inner] (they are `inner` apart). */
const sampleBase = (o: number, inner: number, classes: number) => (o - (o % inner)) * classes + (o % inner);

/** sum_c P[base + c * inner], rounded as a reduction's output. */
function classSum(P: ArrayLike<number>, base: number, classes: number, inner: number, f32: boolean): number {
  let s = 0;
  for (let c = 0, k = base; c < classes; c++, k += inner) s += P[k];
  return round(s, f32);
}

/** out[o, i] = -sum_c t[o, c, i] * log(clip(p[o, c, i] / sum_c p[o, c, i], eps, 1 - eps)). */
function categoricalCrossentropy(t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void {
  const T = t.data;
  const P = p.data;
  const O = out.data;
  const { f32, lo, hi, classes } = setup(p, O.length, epsilon);
  for (let o = 0; o < O.length; o++) {
    const base = sampleBase(o, inner, classes);
    const s = classSum(P, base, classes, inner, f32);
    let acc = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) {
      const q = round(P[k] / s, f32);
      acc += round(T[k] * round(Math.log(q < lo ? lo : q > hi ? hi : q), f32), f32);
    }
    O[o] = -round(acc, f32);
  }
}

/**
 * Gradient with respect to the probabilities: with s = sum_c p, q = p / s, g_c = -dy * t_c / q_c
 * where q lies inside [eps, 1 - eps] (0 where it was clipped), dp_c = (g_c - sum_j g_j q_j) / s.
 */
function categoricalCrossentropyGrad(
  dy: Tensor,
  t: Tensor,
  p: Tensor,
  out: Tensor,
  inner: number,
  epsilon: number,
): void {
  const D = dy.data;
  const T = t.data;
  const P = p.data;
  const O = out.data;
  const { f32, lo, hi, classes } = setup(p, D.length, epsilon);
  for (let o = 0; o < D.length; o++) {
    const base = sampleBase(o, inner, classes);
    const s = classSum(P, base, classes, inner, f32);
    let dot = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) {
      const q = round(P[k] / s, f32);
      const g = q < lo || q > hi ? 0 : (-D[o] * T[k]) / q;
      O[k] = g;
      dot += g * q;
    }
    for (let c = 0, k = base; c < classes; c++, k += inner) O[k] = (O[k] - dot) / s;
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    categoricalCrossentropy(t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void;
    categoricalCrossentropyGrad(dy: Tensor, t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void;
  }
}

registerKernels("cpu", { categoricalCrossentropy, categoricalCrossentropyGrad });
