/** Timing helpers shared by the kernel benchmarks (bench/*.ts). */
import { Tensor } from "../src/backend/tensor.js";

/** A float32 tensor of uniform random values in [lo, hi). */
export function random(shape: number[], lo = -2, hi = 2): Tensor {
  const t = Tensor.empty(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + Math.random() * (hi - lo);
  return t;
}

/** Mean seconds per call of f over at least `seconds` and at least `minCalls` calls. */
export function round(f: () => void, seconds: number, minCalls = 1): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    f();
    n++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < seconds || n < minCalls);
  return elapsed / n;
}
