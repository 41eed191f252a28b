// Native pooling (forward, gradients) against the TypeScript kernels: bit for bit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PoolParams } from "../cpu/pooling.js";
import { backendInfo } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon } from "./index.js";
import { assertSame, cpu, native, random, skip } from "./test_helpers.js";

interface Case {
  B: number;
  inS: number[];
  C: number;
  k: number[];
  strides?: number[];
  same?: boolean;
  /** Explicit [before, after] per axis (windows may lie entirely in the padding). */
  pads?: [number, number][];
}

function setup(c: Case): { outS: number[]; p: PoolParams } {
  const n = c.inS.length;
  const strides = c.strides ?? c.k;
  const outS: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < n; i++) {
    let o: number;
    let b: number;
    if (c.pads) {
      b = c.pads[i][0];
      o = Math.floor((c.inS[i] + b + c.pads[i][1] - c.k[i]) / strides[i]) + 1;
    } else if (c.same) {
      o = Math.ceil(c.inS[i] / strides[i]);
      b = Math.floor(Math.max((o - 1) * strides[i] + c.k[i] - c.inS[i], 0) / 2);
    } else {
      b = 0;
      o = Math.floor((c.inS[i] - c.k[i]) / strides[i]) + 1;
    }
    outS.push(o);
    before.push(b);
    after.push((o - 1) * strides[i] + c.k[i] - c.inS[i] - b);
  }
  return { outS, p: { poolSize: c.k, strides, padBefore: before, padAfter: after } };
}

const cases: Case[] = [
  { B: 8, inS: [24, 24], C: 64, k: [2, 2] },
  { B: 3, inS: [13, 11], C: 5, k: [3, 3], strides: [2, 2], same: true },
  { B: 2, inS: [15, 17], C: 7, k: [3, 2], strides: [1, 1] },
  { B: 6, inS: [9, 10], C: 3, k: [4, 3], strides: [3, 2], same: true },
  {
    B: 1,
    inS: [8, 9],
    C: 33,
    k: [2, 2],
    pads: [
      [3, 3],
      [0, 1],
    ],
  },
  { B: 5, inS: [101], C: 4, k: [5], strides: [3], same: true },
  { B: 2, inS: [7, 8, 9], C: 6, k: [2, 3, 2], strides: [2, 2, 1], same: true },
  { B: 1, inS: [64, 64], C: 3, k: [3, 3], strides: [1, 1], same: true },
  // Disjoint windows (maxPoolGrad's direct path): gaps between windows, an uncovered tail, 3-d.
  { B: 3, inS: [31, 33], C: 9, k: [2, 3], strides: [3, 4] },
  { B: 4, inS: [230], C: 17, k: [3] },
  { B: 2, inS: [8, 12, 10], C: 5, k: [2, 2, 2], same: true },
];

describe("native pooling vs TypeScript", { skip }, () => {
  cases.forEach((c, ci) => {
    it(`B=${c.B} in=${c.inS} C=${c.C} k=${c.k} s=${c.strides ?? c.k} ${c.pads ? JSON.stringify(c.pads) : c.same ? "same" : "valid"} (exactly equal)`, () => {
      const { outS, p } = setup(c);
      const x = random([c.B, ...c.inS, c.C], 10 + ci);
      // Ties (rounded values), NaN and signed zeros exercise the first-maximum rule.
      for (let i = 0; i < x.size; i += 3) x.data[i] = Math.round(x.data[i] * 2) / 2;
      x.data[1] = NaN;
      x.data[x.size - 2] = -0;
      const dy = random([c.B, ...outS, c.C], 20 + ci);
      const ddx = random(x.shape, 30 + ci);
      const y = [c.B, ...outS, c.C];
      const both = (f: (t: typeof cpu, out: Tensor) => void, shape: number[], what: string) => {
        // Garbage first (different in each): an element a kernel leaves unwritten fails.
        const want = Tensor.empty(shape);
        const got = Tensor.empty(shape);
        want.data.fill(Number.NaN);
        got.data.fill(12345);
        f(cpu, want);
        f(native, got);
        assertSame(got, want, what);
        assert.ok(
          want.data.some((v) => v !== 0),
          `${what}: reference not all zeros`,
        );
      };
      both((k, o) => k.maxPool(x, o, p), y, "maxPool");
      both((k, o) => k.avgPool(x, o, p), y, "avgPool");
      both((k, o) => k.maxPoolGrad(x, dy, o, p), x.shape, "maxPoolGrad");
      both((k, o) => k.avgPoolGrad(dy, o, p), x.shape, "avgPoolGrad");
      both((k, o) => k.maxPoolGradGrad(x, ddx, o, p), y, "maxPoolGradGrad");
    });
  });

  it("hands float64 and small inputs to TypeScript", () => {
    const p: PoolParams = { poolSize: [2, 2], strides: [2, 2], padBefore: [0, 0], padAfter: [0, 0] };
    for (const [dtype, S] of [
      ["float64", 20],
      ["float32", 4],
    ] as const) {
      const x = random([2, S, S, 3], 1, -1, 1, dtype);
      const want = Tensor.empty([2, S / 2, S / 2, 3], dtype);
      const got = Tensor.empty(want.shape, dtype);
      cpu.maxPool(x, want, p);
      native.maxPool(x, got, p);
      assertSame(got, want, `maxPool ${dtype}`);
    }
  });

  it("is registered as native", () => {
    if (!backendInfo().forcedTypeScript) assert.equal(backendInfo().kernels.maxPool, addon ? "native" : "cpu");
  });
});
