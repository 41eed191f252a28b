// Shared by the native kernel tests: deterministic random tensors and comparisons with the TypeScript twin.
import assert from "node:assert/strict";
import { type KernelTable, backendInfo, backendKernels } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon } from "./index.js";

/** `skip` option of the suites that need the addon. */
export const skip = addon
  ? false
  : `native addon not loaded (${backendInfo().native.error}); run npm install to build it`;

export const cpu = backendKernels("cpu") as KernelTable;
export const native = backendKernels("native") as KernelTable;

/** Deterministic pseudo-random floats in [lo, hi). */
export function random(
  shape: number[],
  seed: number,
  lo = -1,
  hi = 1,
  dtype: "float32" | "float64" = "float32",
): Tensor {
  const t = Tensor.empty(shape, dtype);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < t.size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    t.data[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return t;
}

/** Bit-for-bit equality (NaN equals NaN, -0 differs from 0). */
export function assertSame(got: Tensor, want: Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, what);
  for (let i = 0; i < want.size; i++) {
    if (!Object.is(got.data[i], want.data[i])) {
      assert.fail(`${what}: element ${i}: native ${got.data[i]} vs TypeScript ${want.data[i]}`);
    }
  }
}

/** |got - want| <= atol + 1e-6 |want| element by element (identical values, NaN included, pass). */
export function assertNear(got: Tensor, want: Tensor, atol: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, what);
  for (let i = 0; i < want.size; i++) {
    if (Object.is(got.data[i], want.data[i])) continue;
    const d = Math.abs(got.data[i] - want.data[i]);
    if (!(d <= atol + 1e-6 * Math.abs(want.data[i]))) {
      assert.fail(`${what}: element ${i}: native ${got.data[i]} vs TypeScript ${want.data[i]}`);
    }
  }
}
