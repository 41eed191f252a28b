// Native activations, softmax and logSoftmax against the TypeScript kernels: bit for bit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backendInfo } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon } from "./index.js";
import { assertSame, cpu, native, random, skip } from "./test_helpers.js";

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 88, -88, 104, -104, 3.4e38, -3.4e38];

const OPS: [string, number, number][] = [
  ["relu", -3, 3],
  ["relu6", -8, 8],
  ["leakyRelu", -3, 3],
  ["sigmoid", -30, 30],
  ["silu", -30, 30],
  ["softplus", -30, 30],
  ["gelu", -10, 10],
  ["geluTanh", -10, 10],
  ["erf", -6, 6],
];

describe("native activation vs TypeScript", { skip }, () => {
  for (const [op, lo, hi] of OPS) {
    it(`${op} (exactly equal), incl. NaN, infinities, zeros and extremes`, () => {
      for (const n of [300, 5001, 200003]) {
        const x = random([n], n + op.length, lo, hi);
        SPECIALS.forEach((v, i) => {
          x.data[i * 17] = v;
        });
        const want = Tensor.empty([n]);
        const got = Tensor.empty([n]);
        cpu.activation(op, x, want, 0.2);
        native.activation(op, x, got, 0.2);
        assertSame(got, want, `${op} n=${n}`);
      }
    });
  }

  it("hands small, float64 and unknown ops to TypeScript", () => {
    const want = Tensor.empty([10]);
    const got = Tensor.empty([10]);
    cpu.activation("gelu", random([10], 1), want, 0);
    native.activation("gelu", random([10], 1), got, 0);
    assertSame(got, want, "gelu small");
    const x64 = random([1000], 2, -3, 3, "float64");
    const w64 = Tensor.empty([1000], "float64");
    const g64 = Tensor.empty([1000], "float64");
    cpu.activation("silu", x64, w64, 0);
    native.activation("silu", x64, g64, 0);
    assertSame(g64, w64, "silu float64");
    assert.throws(() => native.activation("nope", random([1000], 3), Tensor.empty([1000]), 0), /unknown op 'nope'/);
  });
});

describe("native activationGrad vs TypeScript", { skip }, () => {
  for (const op of ["relu", "relu6", "leakyRelu", "sigmoid", "tanh", "silu"]) {
    it(`${op} (exactly equal), incl. NaN, infinities, zeros and the kinks`, () => {
      for (const n of [300, 5001, 200003]) {
        const dy = random([n], n + 1, -3, 3);
        const t = random([n], n + op.length, op === "sigmoid" ? 0 : -8, op === "sigmoid" ? 1 : 8);
        [...SPECIALS, 6, 1, -1].forEach((v, i) => {
          t.data[i * 17] = v;
          dy.data[i * 13 + 5] = v;
        });
        const want = Tensor.empty([n]);
        const got = Tensor.empty([n]);
        cpu.activationGrad(op, dy, t, want, 0.3);
        native.activationGrad(op, dy, t, got, 0.3);
        assertSame(got, want, `${op} n=${n}`);
      }
    });
  }

  it("hands small, float64 and unknown ops to TypeScript", () => {
    const want = Tensor.empty([10]);
    const got = Tensor.empty([10]);
    cpu.activationGrad("silu", random([10], 1), random([10], 2), want, 0);
    native.activationGrad("silu", random([10], 1), random([10], 2), got, 0);
    assertSame(got, want, "silu small");
    const a = random([1000], 2, -3, 3, "float64");
    const w64 = Tensor.empty([1000], "float64");
    const g64 = Tensor.empty([1000], "float64");
    cpu.activationGrad("tanh", a, a, w64, 0);
    native.activationGrad("tanh", a, a, g64, 0);
    assertSame(g64, w64, "tanh float64");
    assert.throws(
      () => native.activationGrad("nope", random([1000], 3), random([1000], 4), Tensor.empty([1000]), 0),
      /unknown op 'nope'/,
    );
  });
});

describe("native softmax / logSoftmax vs TypeScript", { skip }, () => {
  const cases: [number[], number][] = [
    [[128, 10], 1],
    [[33, 1001], 1],
    [[7, 300], 0],
    [[5, 37, 19], 1],
    [[3, 4, 600], 1],
    [[2, 300, 3], 2],
    [[1000, 3], 0],
    [[4, 513], -1],
  ];
  for (const kernel of ["softmax", "logSoftmax"] as const) {
    it(`${kernel} along inner, middle and outer axes (exactly equal)`, () => {
      cases.forEach(([shape, axis], ci) => {
        const x = random(shape, 40 + ci, -20, 20);
        const want = Tensor.empty(shape);
        const got = Tensor.empty(shape);
        cpu[kernel](x, axis < 0 ? axis + shape.length : axis, want);
        native[kernel](x, axis, got);
        assertSame(got, want, `${kernel} ${JSON.stringify(shape)} axis ${axis}`);
      });
    });

    it(`${kernel} with NaN, infinite and all -Infinity lanes`, () => {
      for (const axis of [0, 1]) {
        const x = random([40, 64], 9, -5, 5);
        x.data[3] = NaN;
        x.data[70] = Infinity;
        x.data[200] = -Infinity;
        for (let j = 0; j < 64; j++) x.data[10 * 64 + j] = -Infinity;
        for (let i = 0; i < 40; i++) x.data[i * 64 + 50] = -Infinity;
        const want = Tensor.empty(x.shape);
        const got = Tensor.empty(x.shape);
        cpu[kernel](x, axis, want);
        native[kernel](x, axis, got);
        assertSame(got, want, `${kernel} specials axis ${axis}`);
      }
    });
  }

  it("is registered as native", () => {
    if (!backendInfo().forcedTypeScript) {
      for (const k of ["activation", "softmax", "logSoftmax"])
        assert.equal(backendInfo().kernels[k], addon ? "native" : "cpu");
    }
  });
});
