// Native convolutions (oneDNN) against the TypeScript kernels: forward, input and filter gradients,
// 1-3 spatial axes, odd sizes, strides, padding, dilation, groups (depthwise included).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConvParams } from "../cpu/conv.js";
import { backendInfo } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon } from "./index.js";
import { assertNear, assertSame, cpu, native, random, skip } from "./test_helpers.js";

interface Case {
  B: number;
  inS: number[];
  k: number[];
  C: number;
  O: number;
  groups?: number;
  strides?: number[];
  dilation?: number[];
  /** "valid", "same", or explicit [before, after] per axis. */
  padding?: "valid" | "same" | [number, number][];
}

/** Output size and pads as the conv op computes them (TensorFlow's "same"). */
function setup(c: Case): { outS: number[]; p: ConvParams } {
  const n = c.inS.length;
  const strides = c.strides ?? new Array(n).fill(1);
  const dilation = c.dilation ?? new Array(n).fill(1);
  const outS: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < n; i++) {
    const dk = (c.k[i] - 1) * dilation[i] + 1;
    const s = strides[i];
    let b: number;
    let o: number;
    if (c.padding === "same") {
      o = Math.ceil(c.inS[i] / s);
      b = Math.floor(Math.max((o - 1) * s + dk - c.inS[i], 0) / 2);
    } else if (Array.isArray(c.padding)) {
      b = c.padding[i][0];
      o = Math.floor((c.inS[i] + b + c.padding[i][1] - dk) / s) + 1;
    } else {
      b = 0;
      o = Math.floor((c.inS[i] - dk) / s) + 1;
    }
    outS.push(o);
    before.push(b);
    after.push((o - 1) * s + dk - c.inS[i] - b);
  }
  return { outS, p: { strides, dilation, padBefore: before, padAfter: after, groups: c.groups ?? 1 } };
}

const cases: Case[] = [
  { B: 2, inS: [28, 28], k: [3, 3], C: 1, O: 32 },
  { B: 3, inS: [13, 11], k: [3, 3], C: 5, O: 7, padding: "same" },
  { B: 2, inS: [17, 15], k: [5, 3], C: 6, O: 9, strides: [2, 3], padding: "same" },
  { B: 2, inS: [16, 19], k: [3, 4], C: 4, O: 6, strides: [3, 2] },
  { B: 1, inS: [20, 21], k: [3, 3], C: 3, O: 5, dilation: [2, 3], padding: "same" },
  { B: 2, inS: [12, 12], k: [3, 3], C: 8, O: 12, groups: 4, padding: "same" },
  { B: 2, inS: [14, 13], k: [3, 3], C: 16, O: 16, groups: 16, padding: "same" },
  { B: 2, inS: [11, 10], k: [5, 5], C: 6, O: 12, groups: 6, strides: [2, 2] },
  {
    B: 2,
    inS: [9, 10],
    k: [3, 2],
    C: 5,
    O: 4,
    padding: [
      [2, 1],
      [0, 3],
    ],
  },
  { B: 4, inS: [37], k: [5], C: 3, O: 8, strides: [2], padding: "same" },
  { B: 2, inS: [40], k: [3], C: 6, O: 6, dilation: [4], groups: 3 },
  { B: 2, inS: [7, 8, 9], k: [3, 2, 3], C: 3, O: 4, padding: "same" },
  { B: 1, inS: [9, 7, 8], k: [2, 3, 3], C: 4, O: 6, strides: [2, 1, 2], dilation: [1, 2, 1], groups: 2 },
];

const label = (c: Case) =>
  `B=${c.B} in=${c.inS} k=${c.k} C=${c.C} O=${c.O} g=${c.groups ?? 1} s=${c.strides ?? 1} d=${c.dilation ?? 1} pad=${JSON.stringify(c.padding ?? "valid")}`;

describe("native conv vs TypeScript", { skip }, () => {
  cases.forEach((c, ci) => {
    it(label(c), () => {
      const { outS, p } = setup(c);
      const Cg = c.C / (c.groups ?? 1);
      const x = random([c.B, ...c.inS, c.C], 100 + ci);
      const w = random([...c.k, Cg, c.O], 200 + ci);
      const dy = random([c.B, ...outS, c.O], 300 + ci);
      const kVol = c.k.reduce((a, b) => a * b, 1);
      const outVol = outS.reduce((a, b) => a * b, 1);
      const pairs: [string, Tensor, Tensor, number][] = [];
      // Outputs start as garbage (different in each) so that an element a kernel leaves unwritten fails.
      const outputs = (shape: number[]) => {
        const want = Tensor.empty(shape);
        const got = Tensor.empty(shape);
        want.data.fill(Number.NaN);
        got.data.fill(12345);
        return [want, got];
      };
      {
        const [want, got] = outputs([c.B, ...outS, c.O]);
        cpu.conv(x, w, want, p);
        native.conv(x, w, got, p);
        pairs.push(["conv", got, want, kVol * Cg]);
      }
      {
        const bias = random([c.O], 400 + ci);
        const [want, got] = outputs([c.B, ...outS, c.O]);
        cpu.conv(x, w, want, p, bias);
        native.conv(x, w, got, p, bias);
        pairs.push(["conv with bias", got, want, kVol * Cg + 1]);
        // The bias is added per output channel: against the convolution without it.
        const plain = pairs[0][2];
        for (let i = 0; i < want.size; i++) {
          assert.ok(Math.abs(want.data[i] - (plain.data[i] + bias.data[i % c.O])) < 1e-6, "bias added per channel");
        }
      }
      {
        const [want, got] = outputs(x.shape);
        cpu.convBackpropInput(dy, w, want, p);
        native.convBackpropInput(dy, w, got, p);
        pairs.push(["convBackpropInput", got, want, kVol * (c.O / (c.groups ?? 1))]);
      }
      {
        const [want, got] = outputs(w.shape);
        cpu.convBackpropFilter(x, dy, want, p);
        native.convBackpropFilter(x, dy, got, p);
        pairs.push(["convBackpropFilter", got, want, c.B * outVol]);
      }
      // oneDNN takes every one of these parameter sets (no silent fallback to TypeScript).
      for (const kind of [0, 1, 2]) {
        const impl = addon!.convImpl(
          kind,
          c.inS.length,
          c.B,
          c.C,
          c.O,
          p.groups,
          c.inS,
          c.k,
          outS,
          p.strides,
          p.padBefore,
          p.dilation,
        );
        assert.notEqual(impl, "(refused)", `kind ${kind}`);
      }
      for (const [what, got, want, terms] of pairs) {
        // float32 sums of `terms` products in [-1, 1] against the TypeScript kernel's double sums.
        assertNear(got, want, 1e-6 * terms, what);
        assert.ok(
          want.data.some((v) => v !== 0),
          `${what}: the reference is not all zeros`,
        );
      }
    });
  });

  it("input gradient of a transposed convolution whose output extends past the last window", () => {
    // dx wider than the windows reach (padAfter = -3 < 1 - stride): oneDNN refuses, TypeScript runs.
    assert.equal(addon!.convImpl(1, 2, 2, 3, 4, 1, [14, 12], [3, 3], [5, 5], [2, 2], [0, 0], [1, 1]), "(refused)");
    const p: ConvParams = { strides: [2, 2], dilation: [1, 1], padBefore: [0, 0], padAfter: [-3, -1], groups: 1 };
    const dy = random([2, 5, 5, 4], 7);
    const w = random([3, 3, 3, 4], 8);
    const want = Tensor.empty([2, 14, 12, 3]);
    const got = Tensor.empty(want.shape);
    cpu.convBackpropInput(dy, w, want, p);
    native.convBackpropInput(dy, w, got, p);
    assertNear(got, want, 4e-5, "convBackpropInput");
  });

  it("hands float64 and tiny convolutions to TypeScript (exactly equal)", () => {
    for (const [dtype, B, S] of [
      ["float64", 2, 10],
      ["float32", 1, 3],
    ] as const) {
      const p: ConvParams = { strides: [1, 1], dilation: [1, 1], padBefore: [0, 0], padAfter: [0, 0], groups: 1 };
      const x = random([B, S, S, 2], 1, -1, 1, dtype);
      const w = random([2, 2, 2, 3], 2, -1, 1, dtype);
      const want = Tensor.empty([B, S - 1, S - 1, 3], dtype);
      const got = Tensor.empty(want.shape, dtype);
      cpu.conv(x, w, want, p);
      native.conv(x, w, got, p);
      assertSame(got, want, `conv ${dtype}`);
      const bias = random([3], 3, -1, 1, dtype);
      cpu.conv(x, w, want, p, bias);
      native.conv(x, w, got, p, bias);
      assertSame(got, want, `conv with bias ${dtype}`);
    }
  });

  it("is registered as native", () => {
    if (!backendInfo().forcedTypeScript) assert.equal(backendInfo().kernels.conv, addon ? "native" : "cpu");
  });
});
