import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/**
 * Fused categorical crossentropy on probabilities (Keras's formula: output divided by its sum
 * along the class axis, clipped to [eps, 1 - eps], then -sum(target * log)): one pass per sample
 * instead of eight ops forward and a dozen backward. Tensors are viewed as [outer, classes, inner]
 * (the class axis in the middle; samples are [outer, inner]). Each intermediate is rounded to the
 * tensors' dtype, as the composed ops round their outputs, so that the values match theirs.
 */

const same = (v: number) => v;

/** out[o, i] = -sum_c t[o, c, i] * log(clip(p[o, c, i] / sum_c p[o, c, i], eps, 1 - eps)). */
function categoricalCrossentropy(t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void {
  const T = t.data;
  const P = p.data;
  const O = out.data;
  const r = p.dtype === "float32" ? Math.fround : same;
  const lo = r(epsilon);
  const hi = r(1 - epsilon);
  forSamples(P.length, O.length, inner, (base, classes, o) => {
    let s = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) s += P[k];
    s = r(s);
    let acc = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) {
      const q = r(P[k] / s);
      acc += r(T[k] * r(Math.log(q < lo ? lo : q > hi ? hi : q)));
    }
    O[o] = -r(acc);
  });
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
  const r = p.dtype === "float32" ? Math.fround : same;
  const lo = r(epsilon);
  const hi = r(1 - epsilon);
  forSamples(P.length, D.length, inner, (base, classes, o) => {
    let s = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) s += P[k];
    s = r(s);
    let dot = 0;
    for (let c = 0, k = base; c < classes; c++, k += inner) {
      const q = r(P[k] / s);
      const g = q < lo || q > hi ? 0 : (-D[o] * T[k]) / q;
      O[k] = g;
      dot += g * q;
    }
    for (let c = 0, k = base; c < classes; c++, k += inner) O[k] = (O[k] - dot) / s;
  });
}

/**
 * Calls f(base, classes, o) for every sample o of `samples` ([outer, inner] flattened): the
 * sample's classes sit at base + c * inner in a tensor of `size` elements.
 */
function forSamples(
  size: number,
  samples: number,
  inner: number,
  f: (base: number, classes: number, o: number) => void,
): void {
  if (samples === 0) return;
  const classes = size / samples;
  for (let o = 0; o < samples; o++) {
    const i = o % inner;
    f((o - i) * classes + i, classes, o);
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    categoricalCrossentropy(t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void;
    categoricalCrossentropyGrad(dy: Tensor, t: Tensor, p: Tensor, out: Tensor, inner: number, epsilon: number): void;
  }
}

registerKernels("cpu", { categoricalCrossentropy, categoricalCrossentropyGrad });
