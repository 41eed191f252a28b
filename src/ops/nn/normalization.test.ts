import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { batchNormalization, moments } from "./normalization.js";

interface Fixtures {
  x: number[][][];
  moments: { axes: number[]; keepdims: boolean; mean: unknown; variance: unknown }[];
  batchNormalization: {
    axis: number;
    mean: number[];
    variance: number[];
    offset: number[] | null;
    scale: number[] | null;
    epsilon: number;
    expected: unknown;
  }[];
}

const fx: Fixtures = JSON.parse(readFileSync(new URL("./normalization.fixtures.json", import.meta.url), "utf8"));
const f64 = (a: unknown) => toTensor(a as number[], "float64");
const f32 = (a: unknown) => toTensor(a as number[], "float32");
const opt = (a: number[] | null) => (a === null ? null : f64(a));

describe("normalization: forward values against NumPy (scripts/fixtures/nn.py)", () => {
  for (const c of fx.moments) {
    it(`moments over ${JSON.stringify(c.axes)}, keepdims ${c.keepdims}`, () => {
      const [m, v] = moments(f64(fx.x), c.axes, c.keepdims);
      assertClose(m, f64(c.mean), { rtol: 1e-13, atol: 1e-15 });
      assertClose(v, f64(c.variance), { rtol: 1e-13, atol: 1e-15 });
      const [m32, v32] = moments(f32(fx.x), c.axes, c.keepdims);
      assert.equal(m32.dtype, "float32");
      assertClose(m32, f64(c.mean), { rtol: 1e-5, atol: 1e-6 });
      assertClose(v32, f64(c.variance), { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it("moments by hand, and stable for a large offset (E[x²] - E[x]² would cancel)", () => {
    const [m, v] = moments(f64([1, 2, 3, 4]), 0);
    assertClose(m, f64(2.5));
    assertClose(v, f64(1.25));
    const [, v32] = moments(f32([10000.5, 10001.5, 10002.5, 10003.5]), [0]);
    assertClose(v32, f64(1.25), { rtol: 1e-6 });
  });

  for (const [i, c] of fx.batchNormalization.entries()) {
    it(`batchNormalization case ${i}: axis ${c.axis}, offset ${c.offset !== null}, scale ${c.scale !== null}, epsilon ${c.epsilon}`, () => {
      const y = batchNormalization(
        f64(fx.x),
        f64(c.mean),
        f64(c.variance),
        c.axis,
        opt(c.offset),
        opt(c.scale),
        c.epsilon,
      );
      assertClose(y, f64(c.expected), { rtol: 1e-12, atol: 1e-14 });
      const y32 = batchNormalization(
        f32(fx.x),
        f32(c.mean),
        f32(c.variance),
        c.axis,
        c.offset && f32(c.offset),
        c.scale && f32(c.scale),
        c.epsilon,
      );
      assert.equal(y32.dtype, "float32");
      assertClose(y32, f64(c.expected), { rtol: 1e-5, atol: 1e-5 });
    });
  }

  it("batchNormalization by hand with the default epsilon 1e-3", () => {
    const y = batchNormalization(f64([[1, 2]]), f64([0, 1]), f64([1, 4]), -1);
    assertClose(y, [[1 / Math.sqrt(1.001), 1 / Math.sqrt(4.001)]], { rtol: 1e-14 });
    const z = batchNormalization(f64([[1, 2]]), f64([0, 1]), f64([1, 4]), 1, f64([10, 20]), f64([2, 3]), 0);
    assertClose(z, [[12, 21.5]], { rtol: 1e-14 });
  });
});

describe("normalization: gradients against finite differences", () => {
  const x = randomTensor([2, 3, 4], 21, -2, 2);

  it("moments w.r.t. x (mean and variance), several axes, keepdims", () => {
    for (const [axes, keepdims] of [
      [[0, 1], false],
      [[2], true],
      [[0, 1, 2], false],
      [[-1, 0], false],
    ] as const) {
      checkGrad((t) => moments(t, axes, keepdims)[0], [x]);
      checkGrad((t) => moments(t, axes, keepdims)[1], [x]);
    }
  });

  it("batchNormalization w.r.t. x, mean, variance, offset and scale, axis -1 and 1", () => {
    const m4 = randomTensor([4], 22);
    const v4 = randomTensor([4], 23, 0.2, 2);
    const o4 = randomTensor([4], 24);
    const s4 = randomTensor([4], 25, 0.5, 2);
    checkGrad((a, m, v, o, s) => batchNormalization(a, m, v, -1, o, s), [x, m4, v4, o4, s4]);
    checkGrad((a, m, v) => batchNormalization(a, m, v, 2, null, null, 1e-5), [x, m4, v4]);
    const m3 = randomTensor([3], 26);
    const v3 = randomTensor([3], 27, 0.2, 2);
    const o3 = randomTensor([3], 28);
    const s3 = randomTensor([3], 29, 0.5, 2);
    checkGrad((a, m, v, o, s) => batchNormalization(a, m, v, 1, o, s), [x, m3, v3, o3, s3]);
    checkGrad((a, m, v, s) => batchNormalization(a, m, v, 1, undefined, s), [x, m3, v3, s3]);
  });

  it("batch statistics then normalization, end to end w.r.t. x", () => {
    checkGrad(
      (t) => {
        const [m, v] = moments(t, [0, 1]);
        return batchNormalization(t, m as Tensor, v as Tensor, -1);
      },
      [x],
    );
  });
});

describe("normalization: symbolic tensors and errors", () => {
  it("symbolic shapes with null kept", () => {
    const s = new SymbolicTensor([null, 5, 8], "float32");
    const [m, v] = moments(s, [0, 1]);
    assert.ok(m instanceof SymbolicTensor && v instanceof SymbolicTensor);
    assert.deepEqual(m.shape, [8]);
    assert.deepEqual(v.shape, [8]);
    const [mk] = moments(s, [1], true);
    assert.deepEqual(mk.shape, [null, 1, 8]);
    const [mb] = moments(s, 2);
    assert.deepEqual(mb.shape, [null, 5]);
    const y = batchNormalization(
      s,
      f32(new Array(8).fill(0)),
      f32(new Array(8).fill(1)),
      -1,
      f32(new Array(8).fill(0)),
    );
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 5, 8]);
    const stats = new SymbolicTensor([5], "float32");
    assert.deepEqual(batchNormalization(s, stats, stats, 1).shape, [null, 5, 8]);
  });

  it("wrong parameter shapes name the op, the parameter and the shapes", () => {
    const x = f32([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.throws(
      () => batchNormalization(x, f32([0, 0]), f32([1, 1, 1]), -1),
      /ops\.batchNormalization: mean must be 1-D of size 3 \(axis 1 of x \[2, 3\]\), received shape \[2\]/,
    );
    assert.throws(
      () => batchNormalization(x, f32([0, 0, 0]), f32([[1, 1, 1]]), 1),
      /ops\.batchNormalization: variance must be 1-D of size 3 .*received shape \[1, 3\]/,
    );
    assert.throws(
      () => batchNormalization(x, f32([0, 0]), f32([1, 1]), 0, f32([1, 2, 3])),
      /ops\.batchNormalization: offset must be 1-D of size 2 \(axis 0 of x \[2, 3\]\), received shape \[3\]/,
    );
    assert.throws(
      () => batchNormalization(x, f32([0, 0]), f32([1, 1]), 0, null, f32([1])),
      /scale must be 1-D of size 2/,
    );
    assert.throws(
      () => batchNormalization(x, f32([0, 0]), f32([1, 1]), 2),
      /ops\.batchNormalization: axis 2 is out of range for a tensor of rank 2/,
    );
    assert.throws(() => moments(x, [0, 2]), /ops\.moments: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(
      () => batchNormalization(x, f32([0, 0, 0]), f32([1, 1, 1]), 1, null, null, -1),
      /ops\.batchNormalization: epsilon must be >= 0/,
    );
  });

  it("int and bool inputs are TypeErrors naming the op and dtype", () => {
    const xi = toTensor([[1, 2]], "int32");
    assert.throws(() => moments(xi, 0), {
      name: "TypeError",
      message: /ops\.moments: x must be a float tensor .*received dtype int32/,
    });
    assert.throws(() => batchNormalization(xi, f32([0, 0]), f32([1, 1]), 1), {
      name: "TypeError",
      message: /ops\.batchNormalization: x .*received dtype int32/,
    });
    assert.throws(() => batchNormalization(f32([[1, 2]]), toTensor([0, 0], "int32"), f32([1, 1]), 1), {
      name: "TypeError",
      message: /ops\.batchNormalization: mean .*received dtype int32/,
    });
    assert.throws(() => moments(toTensor([true, false]), 0), { name: "TypeError", message: /ops\.moments: .*bool/ });
  });
});
