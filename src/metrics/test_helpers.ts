/** Shared by the metrics tests: the NumPy fixtures and uneven batching. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Tensor } from "../backend/tensor.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON fixtures.
export const fixtures: any = JSON.parse(readFileSync(new URL("./metrics.fixtures.json", import.meta.url), "utf8"));

/** Three uneven batches over 23 samples. */
export const BATCHES: [number, number][] = [
  [0, 5],
  [5, 14],
  [14, 23],
];

export function batches<T>(rows: readonly T[]): T[][] {
  return BATCHES.map(([a, b]) => rows.slice(a, b));
}

export function close(actual: number, expected: number, tol = 1e-5, msg = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${msg} expected ${expected}, received ${actual}`,
  );
}

export function closeAll(actual: Tensor, expected: number[], tol = 1e-5): void {
  assert.equal(actual.size, expected.length, `expected ${expected.length} values, received shape [${actual.shape}]`);
  for (let i = 0; i < expected.length; i++) close(actual.data[i], expected[i], tol, `[${i}]`);
}
