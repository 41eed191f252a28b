/**
 * Gradient clipping and scaling as Keras 3's BaseOptimizer does it (`_clip_by_norm`,
 * `clip_by_global_norm`, `ops.clip`). Each returns new tensors; norms accumulate in float64.
 */
import { Tensor } from "../backend/tensor.js";

function sumSquares(g: Tensor): number {
  const G = g.data;
  let s = 0;
  for (let i = 0; i < G.length; i++) s += G[i] * G[i];
  return s;
}

/** `g * scale` into a new tensor of g's dtype. */
export function scaleTensor(g: Tensor, scale: number): Tensor {
  const out = Tensor.empty(g.shape, g.dtype);
  const G = g.data;
  const O = out.data;
  for (let i = 0; i < G.length; i++) O[i] = G[i] * scale;
  return out;
}

/** `g * clipnorm / max(||g||, clipnorm)`: rescales g so that its L2 norm is at most clipnorm. */
export function clipByNorm(g: Tensor, clipnorm: number): Tensor {
  const l2sum = sumSquares(g);
  const l2norm = l2sum > 0 ? Math.sqrt(l2sum) : l2sum;
  return scaleTensor(g, clipnorm / Math.max(l2norm, clipnorm));
}

/**
 * Rescales all gradients by `clipnorm / max(globalNorm, clipnorm)`; a non-finite global norm gives NaN
 * gradients, as in Keras (`scale + (norm - norm)`).
 */
export function clipByGlobalNorm(grads: Tensor[], clipnorm: number): Tensor[] {
  let total = 0;
  for (const g of grads) total += sumSquares(g);
  const norm = Math.sqrt(total);
  const scale = clipnorm * Math.min(1 / norm, 1 / clipnorm) + (norm - norm);
  return grads.map((g) => scaleTensor(g, scale));
}

/** Element-wise clip to [-clipvalue, clipvalue]. */
export function clipByValue(g: Tensor, clipvalue: number): Tensor {
  const out = Tensor.empty(g.shape, g.dtype);
  const G = g.data;
  const O = out.data;
  for (let i = 0; i < G.length; i++) {
    const v = G[i];
    O[i] = v > clipvalue ? clipvalue : v < -clipvalue ? -clipvalue : v;
  }
  return out;
}
