/**
 * Test helpers: gradients against central finite differences, and closeness assertions.
 * Used by the tests only (not exported from the package).
 */
import assert from "node:assert/strict";
import { castTensor, toTensor } from "../backend/convert.js";
import { Tensor } from "../backend/tensor.js";
import { grad } from "../autodiff/grad.js";
import { multiply } from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import { reshape } from "../ops/shape.js";

/** A deterministic pseudo-random float64 tensor (mulberry32), values in [lo, hi). */
export function randomTensor(shape: number[], seed = 1, lo = -1, hi = 1): Tensor {
  let s = seed >>> 0;
  const t = Tensor.empty(shape, "float64");
  for (let i = 0; i < t.size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = s;
    r = Math.imul(r ^ (r >>> 15), r | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    const u = ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    t.data[i] = lo + (hi - lo) * u;
  }
  return t;
}

/**
 * Checks the gradient of scalar-valued `f` with respect to each of `inputs` (cast to float64)
 * against central finite differences. `f` should return a scalar; if it returns a larger tensor,
 * its sum weighted by fixed random coefficients is used so that every output element counts.
 */
export function checkGrad(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  {
    eps = 1e-6,
    rtol = 1e-5,
    atol = 1e-6,
    argnums,
  }: { eps?: number; rtol?: number; atol?: number; argnums?: number[] } = {},
): void {
  const xs = inputs.map((x) => castTensor(x, "float64"));
  let weights: Tensor | null = null;
  const scalar = (...a: Tensor[]): Tensor => {
    const y = f(...a);
    if (y.size === 1) return y;
    if (!weights || weights.size !== y.size) weights = randomTensor([y.size], 99, 0.5, 1.5);
    // Written with ops so that it is differentiated along with f.
    return sum(multiply(reshape(y, [y.size]), castTensor(weights, y.dtype)));
  };
  const nums = argnums ?? xs.map((_, i) => i);
  const analytic = grad(scalar, nums)(...xs) as Tensor[];
  nums.forEach((n, k) => {
    const x = xs[n];
    const g = analytic[k];
    assert.deepEqual(g.shape, x.shape, `gradient ${n} has shape [${g.shape}] but input has [${x.shape}]`);
    for (let i = 0; i < x.size; i++) {
      const orig = x.data[i];
      x.data[i] = orig + eps;
      const up = scalar(...xs).item() as number;
      x.data[i] = orig - eps;
      const down = scalar(...xs).item() as number;
      x.data[i] = orig;
      const numeric = (up - down) / (2 * eps);
      const a = g.data[i];
      const tol = atol + rtol * Math.abs(numeric);
      if (!(Math.abs(a - numeric) <= tol)) {
        assert.fail(
          `input ${n}, element ${i}: analytic gradient ${a} vs finite difference ${numeric} (tolerance ${tol})`,
        );
      }
    }
  });
}

/** Asserts that a tensor matches expected values elementwise within tolerances. */
export function assertClose(
  actual: Tensor,
  expected: Tensor | number[] | number | unknown[],
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  const e = expected instanceof Tensor ? expected : toTensor(expected as number[], "float64");
  assert.deepEqual(actual.shape, e.shape, `shape [${actual.shape}] vs expected [${e.shape}]`);
  for (let i = 0; i < e.size; i++) {
    const a = actual.data[i];
    const b = e.data[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
      assert.fail(`element ${i}: ${a} vs expected ${b} (shape [${actual.shape}])`);
    }
  }
}
