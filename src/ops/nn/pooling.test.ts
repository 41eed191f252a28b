import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { grad } from "../../autodiff/grad.js";
import { castTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { multiply, square } from "../elementwise.js";
import { sum } from "../reduction.js";
import { averagePool, maxPool } from "./pooling.js";

/** A tensor of distinct values (a shuffled range), so that max pooling has no ties and finite differences are exact. */
function distinct(shape: number[], seed: number): Tensor {
  const r = randomTensor(shape, seed);
  const order = Array.from(r.data, (v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  const t = Tensor.empty(shape, "float64");
  order.forEach(([, i], rank) => {
    t.data[i] = (rank - order.length / 2) * 0.1;
  });
  return t;
}

// ---------------------------------------------------------------- naive reference (direct loops, 2-d)

/** Max or average over each window of a [B, H, W, C] tensor, padding as TensorFlow computes it. */
function naivePool2d(x: Tensor, k: number[], s: number[], padding: "valid" | "same", kind: "max" | "avg"): Tensor {
  const [B, H, W, C] = x.shape;
  const size = [H, W];
  const out = size.map((n, i) => (padding === "same" ? Math.ceil(n / s[i]) : Math.floor((n - k[i]) / s[i]) + 1));
  const pad = size.map((n, i) =>
    padding === "same" ? Math.floor(Math.max((out[i] - 1) * s[i] + k[i] - n, 0) / 2) : 0,
  );
  const y = Tensor.empty([B, out[0], out[1], C], "float64");
  let yi = 0;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < out[0]; oh++)
      for (let ow = 0; ow < out[1]; ow++)
        for (let c = 0; c < C; c++) {
          let acc = kind === "max" ? Number.NEGATIVE_INFINITY : 0;
          let count = 0;
          for (let i = 0; i < k[0]; i++)
            for (let j = 0; j < k[1]; j++) {
              const h = oh * s[0] - pad[0] + i;
              const w = ow * s[1] - pad[1] + j;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              const v = x.data[((b * H + h) * W + w) * C + c];
              acc = kind === "max" ? Math.max(acc, v) : acc + v;
              count++;
            }
          y.data[yi++] = kind === "max" ? acc : acc / count;
        }
  return y;
}

// ---------------------------------------------------------------- NumPy fixtures

interface Fixture {
  name: string;
  inputs: { shape: number[]; data: number[] }[];
  attrs: { op: "max" | "avg"; size: number | number[]; strides: number | number[] | null; padding: string };
  expected: { shape: number[]; data: number[] };
}

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("./pooling.fixtures.json", import.meta.url), "utf8"));
const toT = (a: { shape: number[]; data: number[] }) => new Tensor(Float64Array.from(a.data), a.shape, "float64");

describe("pooling: forward values against NumPy fixtures", () => {
  it("has the expected fixture cases", () => assert.equal(fixtures.length, 16));
  for (const f of fixtures) {
    it(f.name, () => {
      const x = toT(f.inputs[0]);
      const pool = f.attrs.op === "max" ? maxPool : averagePool;
      const y = pool(x, f.attrs.size, f.attrs.strides, f.attrs.padding);
      assertClose(y, toT(f.expected), { rtol: 1e-12, atol: 1e-12 });
      const y32 = pool(castTensor(x, "float32"), f.attrs.size, f.attrs.strides, f.attrs.padding);
      assert.equal(y32.dtype, "float32");
      assertClose(y32, toT(f.expected), { rtol: 1e-6, atol: 1e-6 });
    });
  }
});

describe("pooling: forward values against direct loops and by hand", () => {
  const cases: [number[], number[], number[], "valid" | "same"][] = [
    [[2, 7, 6, 3], [2, 2], [2, 2], "valid"],
    [[1, 7, 6, 2], [3, 3], [2, 2], "same"],
    [[1, 5, 8, 2], [2, 4], [3, 1], "same"],
    [[2, 6, 6, 1], [3, 2], [1, 3], "valid"],
  ];
  for (const [xs, k, s, padding] of cases) {
    it(`2d size ${k} strides ${s} ${padding}`, () => {
      const x = randomTensor(xs, 5);
      assertClose(maxPool(x, k, s, padding), naivePool2d(x, k, s, padding, "max"), { rtol: 1e-12, atol: 0 });
      assertClose(averagePool(x, k, s, padding), naivePool2d(x, k, s, padding, "avg"), { rtol: 1e-12, atol: 1e-15 });
    });
  }

  it("averagePool with same padding divides by the valid positions only", () => {
    const x = new Tensor(Float64Array.from([1, 2, 3, 4, 5]), [1, 5, 1]);
    // size 2, stride 2, same: out 3, total pad 1 at the end: windows [1,2], [3,4], [5].
    assertClose(averagePool(x, 2, 2, "same"), [[[1.5], [3.5], [5]]]);
    assertClose(maxPool(x, 2, 2, "same"), [[[2], [4], [5]]]);
    // size 3, stride 1, same: pads 1 and 1: [1,2], [1,2,3], ... [4,5].
    assertClose(averagePool(x, 3, 1, "same"), [[[1.5], [2], [3], [4], [4.5]]]);
    // strides default to the pool size.
    assertClose(maxPool(x, 2), [[[2], [4]]]);
  });

  it("max pooling propagates NaN and handles -Infinity", () => {
    const x = new Tensor(Float64Array.from([1, Number.NaN, 3, Number.NEGATIVE_INFINITY]), [1, 4, 1]);
    const y = maxPool(x, 2);
    assert.ok(Number.isNaN(y.data[0]));
    assert.equal(y.data[1], 3);
    const z = maxPool(
      new Tensor(Float64Array.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]), [1, 2, 1]),
      2,
    );
    assert.equal(z.data[0], Number.NEGATIVE_INFINITY);
  });

  it("channels_first equals channels_last on transposed data", () => {
    const x = randomTensor([2, 3, 5, 4], 7); // [B, C, H, W]
    const xl = Tensor.empty([2, 5, 4, 3], "float64");
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 3; c++)
        for (let h = 0; h < 5; h++)
          for (let w = 0; w < 4; w++) xl.data[((b * 5 + h) * 4 + w) * 3 + c] = x.data[((b * 3 + c) * 5 + h) * 4 + w];
    for (const pool of [maxPool, averagePool]) {
      const y = pool(x, [2, 3], [2, 1], "same", "channels_first");
      const ref = pool(xl, [2, 3], [2, 1], "same");
      assert.deepEqual(y.shape, [2, 3, 3, 4]);
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 3; c++)
          for (let h = 0; h < 3; h++)
            for (let w = 0; w < 4; w++)
              assert.equal(y.data[((b * 3 + c) * 3 + h) * 4 + w], ref.data[((b * 3 + h) * 4 + w) * 3 + c]);
    }
  });
});

describe("pooling: gradients", () => {
  const cases: [string, number[], number | number[], number | number[] | null, "valid" | "same"][] = [
    ["1d same size 3 stride 2", [2, 7, 2], 3, 2, "same"],
    ["2d valid size 2", [1, 4, 6, 2], 2, null, "valid"],
    ["2d overlapping valid size 3 stride 1", [1, 5, 4, 2], 3, 1, "valid"],
    ["2d same size [2,3] strides [2,1]", [1, 5, 5, 2], [2, 3], [2, 1], "same"],
    ["3d same size 2 stride 2", [1, 3, 4, 3, 2], 2, 2, "same"],
  ];
  for (const [name, xs, k, s, padding] of cases) {
    it(`maxPool ${name}`, () => checkGrad((x) => maxPool(x, k, s, padding), [distinct(xs, 3)]));
    it(`averagePool ${name}`, () => checkGrad((x) => averagePool(x, k, s, padding), [randomTensor(xs, 4)]));
  }

  it("maxPool routes each gradient to its window's maximum (overlapping windows add)", () => {
    const x = new Tensor(Float64Array.from([1, 5, 2, 0, 3]), [1, 5, 1]);
    const g = grad((t: Tensor) => sum(maxPool(t, 3, 1)))(x) as Tensor;
    // Windows [1,5,2], [5,2,0], [2,0,3]: 5 wins twice, 3 once.
    assertClose(g, [[[0], [2], [0], [0], [1]]]);
  });

  it("channels_first gradients", () => {
    checkGrad((x) => maxPool(x, 2, 1, "same", "channels_first"), [distinct([1, 2, 4, 3], 8)]);
    checkGrad((x) => averagePool(x, 2, 1, "same", "channels_first"), [randomTensor([1, 2, 4, 3], 9)]);
  });

  it("second order: gradients of the pooling gradients (maxPoolGrad, maxPoolGradGrad, avgPoolGrad)", () => {
    const x = distinct([1, 5, 4, 2], 10);
    const w = randomTensor([1, 3, 2, 2], 11);
    // grad_x of sum(w * maxPool(x)^2) = maxPoolGrad(2 w maxPool(x)): checks maxPoolGrad's gradient through dy.
    const fm = (t: Tensor) => sum(multiply(w, square(maxPool(t, 2, 2, "same"))));
    checkGrad((t) => grad(fm)(t) as Tensor, [x]);
    // And the gradient of maxPoolGradGrad, through a third derivative of a cubic.
    const fm3 = (t: Tensor) => sum(multiply(square(maxPool(t, 2, 2, "same")), maxPool(t, 2, 2, "same")));
    checkGrad((t) => grad((u: Tensor) => sum(square(grad(fm3)(u) as Tensor)))(t) as Tensor, [x]);
    const fa = (t: Tensor) => sum(multiply(w, square(averagePool(t, 2, 2, "same"))));
    checkGrad((t) => grad(fa)(t) as Tensor, [x]);
  });
});

describe("pooling: symbolic inputs", () => {
  it("propagates null batch and spatial sizes", () => {
    const x = new SymbolicTensor([null, 9, 8, 3], "float32");
    const y = maxPool(x, 2);
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 4, 4, 3]);
    assert.deepEqual(averagePool(x, 3, 2, "same").shape, [null, 5, 4, 3]);
    assert.deepEqual(averagePool(new SymbolicTensor([null, null, 7, 2], "float64"), [2, 3], 1).shape, [
      null,
      null,
      5,
      2,
    ]);
    assert.deepEqual(
      maxPool(new SymbolicTensor([null, 3, 9, 8], "float32"), 2, null, "valid", "channels_first").shape,
      [null, 3, 4, 4],
    );
  });
});

describe("pooling: errors", () => {
  const x = randomTensor([1, 4, 4, 2], 1);
  it("rejects int and bool inputs with a TypeError naming the op", () => {
    assert.throws(
      () => maxPool(castTensor(x, "int32"), 2),
      (e: Error) => e instanceof TypeError && /ops\.maxPool: inputs .*int32/.test(e.message),
    );
    assert.throws(
      () => averagePool(castTensor(x, "bool"), 2),
      (e: Error) => e instanceof TypeError && /ops\.averagePool: .*bool/.test(e.message),
    );
  });
  it("pool larger than a valid-padded input", () => {
    assert.throws(
      () => maxPool(x, 5),
      /ops\.maxPool: the pool size 5 does not fit .*output size would be 0.*\[1, 4, 4, 2\]/,
    );
    assert.deepEqual(maxPool(x, 5, 1, "same").shape, [1, 4, 4, 2]);
  });
  it("bad arguments", () => {
    assert.throws(() => maxPool(x, 2, 1, "full"), /ops\.maxPool: padding must be "valid" or "same", received "full"/);
    assert.throws(() => averagePool(x, [2, 2, 2]), /ops\.averagePool: poolSize must be .*list of 2/);
    assert.throws(() => averagePool(x, 2, 0), /ops\.averagePool: strides must be an integer >= 1/);
    assert.throws(() => maxPool(randomTensor([4, 4], 1), 2), /ops\.maxPool: inputs must have rank 3, 4 or 5.*\[4, 4\]/);
    assert.throws(() => maxPool(x, 2, null, "valid", "nchw"), /ops\.maxPool: dataFormat must be/);
  });
});
