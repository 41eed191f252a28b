import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { grad } from "../autodiff/grad.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as ops from "./index.js";

interface Fixture {
  name: string;
  op: "take" | "takeAlongAxis";
  x: number[];
  indices: number[];
  axis: number | null;
  out: number[];
  shape: number[];
}

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("./indexing.fixtures.json", import.meta.url), "utf8"));

describe("indexing ops: forward values against NumPy (scripts/fixtures/indexing.py)", () => {
  for (const c of fixtures) {
    it(c.name, () => {
      const x = ops.convertToTensor(c.x, "float64");
      const i = ops.convertToTensor(c.indices, "int32");
      const got = c.op === "take" ? ops.take(x, i, c.axis) : ops.takeAlongAxis(x, i, c.axis);
      assert.deepEqual(got.shape, c.shape);
      assertClose(got, c.out);
    });
  }
});

describe("indexing ops: forward values by hand", () => {
  const x = ops.convertToTensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("take accepts number arrays, whole-number float tensors, and keeps the dtype", () => {
    assert.deepEqual(ops.take(x, [2, -3], 1).toArray(), [
      [3, 1],
      [6, 4],
    ]);
    assert.deepEqual(ops.take(x, ops.convertToTensor([5, 0])).toArray(), [6, 1]);
    const xi = ops.cast(x, "int32");
    const t = ops.take(xi, [[1], [0]], 0);
    assert.equal(t.dtype, "int32");
    assert.deepEqual(t.toArray(), [[[4, 5, 6]], [[1, 2, 3]]]);
    assert.deepEqual(ops.take(x, [], 1).shape, [2, 0]);
  });

  it("takeAlongAxis picks the argmax-style entries", () => {
    assert.deepEqual(ops.takeAlongAxis(x, [[2], [-2]], 1).toArray(), [[3], [5]]);
  });

  it("oneHot: default last axis, other axes, dtype, out-of-range ids give zero rows", () => {
    const h = ops.oneHot([0, 2, -1, 3], 3);
    assert.equal(h.dtype, "float32");
    assert.deepEqual(h.toArray(), [
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const h0 = ops.oneHot(ops.convertToTensor([1, 0], "int32"), 3, { axis: 0, dtype: "int32" });
    assert.equal(h0.dtype, "int32");
    assert.deepEqual(h0.toArray(), [
      [0, 1],
      [1, 0],
      [0, 0],
    ]);
    const h1 = ops.oneHot(
      [
        [0, 1],
        [1, 1],
      ],
      2,
      { axis: 1 },
    );
    assert.deepEqual(h1.shape, [2, 2, 2]);
    // h1[b, c, j] = 1 where ids[b, j] == c
    assert.deepEqual(h1.toArray(), [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0, 0],
        [1, 1],
      ],
    ]);
  });
});

describe("indexing ops: gradients (finite differences)", () => {
  const x = randomTensor([3, 4, 5], 1);

  it("take with repeated and negative indices (scatter-add), flattened and negative axis", () => {
    checkGrad(
      (a) =>
        ops.take(
          a,
          [
            [0, -1],
            [2, 0],
            [0, 0],
          ],
          1,
        ),
      [x],
    );
    checkGrad((a) => ops.take(a, [4, -1, 0, 4], -1), [x]);
    checkGrad((a) => ops.take(a, [59, 0, 7, 7]), [x]);
  });

  it("takeAlongAxis, including broadcast indices and negative axis", () => {
    const idx = ops.convertToTensor([[[0, 1, -1, 3, 3]], [[2, 2, 2, 0, 1]], [[-4, 1, 3, 0, 0]]], "int32");
    checkGrad((a) => ops.takeAlongAxis(a, idx, 1), [x]);
    checkGrad((a) => ops.takeAlongAxis(a, ops.convertToTensor([[[4, 0, 4]]], "int32"), -1), [x]);
    // x broadcast against larger indices: the gradient sums over the broadcast axis.
    checkGrad(
      (a) =>
        ops.takeAlongAxis(
          a,
          ops.convertToTensor(
            [
              [[0], [2]],
              [[1], [1]],
            ],
            "int32",
          ),
          2,
        ),
      [randomTensor([2, 1, 3], 2)],
    );
  });

  it("second order through take (scatter-add's gradient is take)", () => {
    const inner = (a: Tensor) => ops.sum(ops.square(ops.take(a, [0, 2, 2, -1], 0)));
    checkGrad((a) => ops.multiply(grad(inner)(a) as Tensor, a), [randomTensor([4, 2], 3)]);
    const innerAlong = (a: Tensor) =>
      ops.sum(
        ops.power(
          ops.takeAlongAxis(
            a,
            [
              [1, 1],
              [0, 1],
            ],
            1,
          ),
          3,
        ),
      );
    checkGrad((a) => grad(innerAlong)(a) as Tensor, [randomTensor([2, 2], 4)]);
  });

  it("oneHot carries no gradient", () => {
    const g = grad((a: Tensor) => ops.sum(ops.multiply(a, ops.oneHot([1, 0], 2))))(randomTensor([2, 2], 5)) as Tensor;
    assert.deepEqual(Array.from(g.data), [0, 1, 1, 0]);
  });
});

describe("indexing ops: symbolic shapes keep unknown dims", () => {
  const s = new SymbolicTensor([null, 4], "float32");
  const shapeOf = (t: unknown) => {
    assert.ok(t instanceof SymbolicTensor);
    return t.shape;
  };

  it("take, takeAlongAxis and oneHot", () => {
    assert.deepEqual(shapeOf(ops.take(s, [[0, 1, 2]], 1)), [null, 1, 3]);
    assert.deepEqual(shapeOf(ops.take(s, new SymbolicTensor([null], "int32"), 0)), [null, 4]);
    assert.deepEqual(shapeOf(ops.take(s, [1, 2])), [2]);
    assert.deepEqual(shapeOf(ops.takeAlongAxis(s, new SymbolicTensor([null, 2], "int32"), 1)), [null, 2]);
    assert.deepEqual(shapeOf(ops.takeAlongAxis(s, ops.convertToTensor([[0]], "int32"), 1)), [null, 1]);
    assert.deepEqual(shapeOf(ops.oneHot(new SymbolicTensor([null, 3], "int32"), 5)), [null, 3, 5]);
    assert.deepEqual(shapeOf(ops.oneHot(new SymbolicTensor([null], "int32"), 5, { axis: 0 })), [5, null]);
  });
});

describe("indexing ops: errors name the op and the shapes", () => {
  const x = ops.zeros([2, 3]);

  it("take index out of range", () => {
    assert.throws(
      () => ops.take(x, [0, 3], 1),
      /ops\.take: index 3 is out of range for axis 1 of size 3 \(tensor of shape \[2, 3\]\); indices must be in \[-3, 2\]/,
    );
    assert.throws(() => ops.take(x, [-7]), /ops\.take: index -7 is out of range for axis 0 of size 6/);
    assert.throws(() => ops.takeAlongAxis(x, [[3]], 1), /ops\.takeAlongAxis: index 3 is out of range .*\[2, 3\]/);
  });

  it("axis out of range, mismatched ranks, and bad indices", () => {
    assert.throws(() => ops.take(x, [0], 2), /ops\.take: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(() => ops.takeAlongAxis(x, [[0]], -3), /ops\.takeAlongAxis: axis -3 is out of range/);
    assert.throws(() => ops.oneHot([1], 3, { axis: 2 }), /ops\.oneHot: axis 2 is out of range/);
    assert.throws(
      () => ops.takeAlongAxis(x, [0, 1], 1),
      /ops\.takeAlongAxis: x and indices must have the same rank .*\[2, 3\] and \[2\]/,
    );
    assert.throws(
      () => ops.takeAlongAxis(x, ops.zeros([3, 1], "int32"), 1),
      /ops\.takeAlongAxis: .*\[2, 3\] and \[3, 1\]/,
    );
    assert.throws(() => ops.take(x, [0.5]), /ops\.take: indices must be whole numbers, received 0\.5/);
    assert.throws(() => ops.take(x, [true]), /ops\.take: indices must be an int32 tensor .*bool/);
    assert.throws(() => ops.oneHot([1], 0), /ops\.oneHot: numClasses must be a positive integer/);
  });
});
