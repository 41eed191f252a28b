import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as ops from "./elementwise.js";
import { convertToTensor as t } from "./creation.js";
import { reshape } from "./shape.js";

const x = randomTensor([2, 3], 1);
const pos = randomTensor([2, 3], 2, 0.5, 2);
const row = randomTensor([3], 3, 0.5, 2);
const col = randomTensor([2, 1], 4, 0.5, 2);

describe("element-wise ops: forward values", () => {
  it("adds, subtracts, multiplies, divides with NumPy broadcasting", () => {
    const a = t([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assertClose(ops.add(a, [10, 20, 30]), [
      [11, 22, 33],
      [14, 25, 36],
    ]);
    assertClose(ops.subtract(a, t([[1], [2]])), [
      [0, 1, 2],
      [2, 3, 4],
    ]);
    assertClose(ops.multiply(2, a), [
      [2, 4, 6],
      [8, 10, 12],
    ]);
    assertClose(ops.divide(a, 4), [
      [0.25, 0.5, 0.75],
      [1, 1.25, 1.5],
    ]);
    // [3,1] + [2] -> [3,2]
    assertClose(ops.add(reshape(t([0, 1, 2]), [3, 1]), t([0, 10])), [
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    // rank-4 with broadcast in the middle: [2,1,2,1] * [1,3,1,2] -> [2,3,2,2]
    const p = ops.multiply(
      reshape(t([1, 2, 3, 4]), [2, 1, 2, 1]),
      reshape(t([1, 10, 100, 1000, 1e4, 1e5]), [1, 3, 1, 2]),
    );
    assert.deepEqual(p.shape, [2, 3, 2, 2]);
    assert.deepEqual(Array.from(p.data.slice(0, 8)), [1, 10, 2, 20, 100, 1000, 200, 2000]);
  });

  it("follows Python semantics for floorDivide and mod (sign of the divisor)", () => {
    assertClose(ops.floorDivide(t([7, -7, 7, -7]), t([2, 2, -2, -2])), [3, -4, -4, 3]);
    assertClose(ops.mod(t([7, -7, 7, -7]), t([3, 3, -3, -3])), [1, 2, -2, -1]);
    assertClose(ops.mod(t([5.5]), 2), [1.5]);
  });

  it("computes unary math", () => {
    const v = t([-2.5, -0.5, 0, 0.5, 1.5, 2.5]);
    assertClose(ops.abs(v), [2.5, 0.5, 0, 0.5, 1.5, 2.5]);
    assertClose(ops.sign(v), [-1, -1, 0, 1, 1, 1]);
    assertClose(ops.floor(v), [-3, -1, 0, 0, 1, 2]);
    assertClose(ops.ceil(v), [-2, -0, 0, 1, 2, 3]);
    assertClose(ops.round(v), [-2, -0, 0, 0, 2, 2]); // half to even, as NumPy
    assertClose(ops.negative(v), [2.5, 0.5, 0, -0.5, -1.5, -2.5]);
    assertClose(ops.square(t([3, -2])), [9, 4]);
    assertClose(ops.sqrt(t([4, 9])), [2, 3]);
    assertClose(ops.rsqrt(t([4, 16])), [0.5, 0.25]);
    assertClose(ops.exp(t([0, 1])), [1, Math.E]);
    assertClose(ops.expm1(t([1e-10])), [1e-10], { rtol: 1e-6 });
    assertClose(ops.log(t([1, Math.E])), [0, 1]);
    assertClose(ops.log1p(t([1e-10])), [1e-10], { rtol: 1e-6 });
    assertClose(ops.sin(t([Math.PI / 2])), [1]);
    assertClose(ops.cos(t([0])), [1]);
    assertClose(ops.tanh(t([0, 100, -100])), [0, 1, -1]);
    assertClose(ops.power(t([2, 3]), t([3, 2])), [8, 9]);
    assertClose(ops.maximum(t([1, 5]), 3), [3, 5]);
    assertClose(ops.minimum(t([1, 5]), 3), [1, 3]);
    assertClose(ops.clip(t([-2, 0.5, 3]), 0, 1), [0, 0.5, 1]);
  });

  it("compares and combines booleans", () => {
    const a = t([1, 2, 3]);
    assert.deepEqual(ops.equal(a, 2).toArray(), [false, true, false]);
    assert.deepEqual(ops.notEqual(a, 2).toArray(), [true, false, true]);
    assert.deepEqual(ops.less(a, 2).toArray(), [true, false, false]);
    assert.deepEqual(ops.lessEqual(a, 2).toArray(), [true, true, false]);
    assert.deepEqual(ops.greater(a, 2).toArray(), [false, false, true]);
    assert.deepEqual(ops.greaterEqual(a, 2).toArray(), [false, true, true]);
    const p = t([true, true, false]);
    const q = t([true, false, false]);
    assert.deepEqual(ops.logicalAnd(p, q).toArray(), [true, false, false]);
    assert.deepEqual(ops.logicalOr(p, q).toArray(), [true, true, false]);
    assert.deepEqual(ops.logicalNot(p).toArray(), [false, false, true]);
    assert.deepEqual(ops.isnan(t([0, Number.NaN, Infinity])).toArray(), [false, true, false]);
    assert.deepEqual(ops.isfinite(t([0, Number.NaN, Infinity])).toArray(), [true, false, false]);
    assertClose(ops.where(ops.greater(a, 1), a, t([[0], [-1]])), [
      [0, 2, 3],
      [-1, 2, 3],
    ]);
  });

  it("promotes dtypes as Keras does", () => {
    const i = t([1, 2, 3], "int32");
    assert.equal(ops.add(i, 1).dtype, "int32");
    assert.equal(ops.add(i, 1.5).dtype, "float32");
    assert.equal(ops.add(i, t([1, 2, 3])).dtype, "float32");
    assert.equal(ops.divide(i, 2).dtype, "float32");
    assertClose(ops.divide(i, 2), [0.5, 1, 1.5]);
    assert.equal(ops.sqrt(i).dtype, "float32");
    assert.equal(ops.floorDivide(i, 2).dtype, "int32");
    assert.equal(ops.add(t([1], "float64"), t([1])).dtype, "float64");
    assert.equal(ops.add(t([true]), 1).dtype, "int32");
    assert.equal(ops.cast(t([1.7, -1.7]), "int32").dtype, "int32");
    assert.deepEqual(ops.cast(t([1.7, -1.7]), "int32").toArray(), [1, -1]);
    assert.deepEqual(ops.cast(t([0, 2]), "bool").toArray(), [false, true]);
  });
});

describe("element-wise ops: gradients against finite differences", () => {
  const binary: [string, (a: Tensor, b: Tensor) => Tensor, Tensor, Tensor][] = [
    ["add", ops.add, x, row],
    ["subtract", ops.subtract, x, col],
    ["multiply", ops.multiply, x, row],
    ["divide", ops.divide, x, pos],
    ["divide (broadcast)", ops.divide, x, col],
    ["power", ops.power, pos, row],
    ["maximum", ops.maximum, x, randomTensor([3], 7)],
    ["minimum", ops.minimum, x, randomTensor([2, 1], 8)],
    ["mod", ops.mod, pos, t([[0.3], [0.7]], "float64")],
    ["arctan2", ops.arctan2, x, pos],
  ];
  for (const [name, f, a, b] of binary) {
    it(name, () => checkGrad((p, q) => f(p, q), [a, b]));
  }
  const unary: [string, (a: Tensor) => Tensor, Tensor][] = [
    ["negative", ops.negative, x],
    ["square", ops.square, x],
    ["sqrt", ops.sqrt, pos],
    ["rsqrt", ops.rsqrt, pos],
    ["exp", ops.exp, x],
    ["expm1", ops.expm1, x],
    ["log", ops.log, pos],
    ["log1p", ops.log1p, pos],
    ["abs", ops.abs, x],
    ["sin", ops.sin, x],
    ["cos", ops.cos, x],
    ["tan", ops.tan, x],
    ["tanh", ops.tanh, x],
    ["reciprocal", ops.reciprocal, pos],
    ["clip", (a) => ops.clip(a, -0.5, 0.5), x],
    ["cast to float32 and back", (a) => ops.cast(ops.multiply(ops.cast(a, "float32"), 2), "float64"), x],
  ];
  for (const [name, f, a] of unary) {
    it(name, () => checkGrad((p) => f(p), [a], name.startsWith("cast") ? { eps: 1e-2, rtol: 1e-4 } : {}));
  }
  it("where", () => checkGrad((a, b) => ops.where(ops.greater(a, 0), a, ops.multiply(b, 3)), [x, row]));
  it("floor, round and sign have zero gradients", () => {
    checkGrad((a) => ops.add(ops.floor(a), ops.add(ops.round(a), ops.sign(a))), [t([0.3, 1.7, -2.2], "float64")]);
  });
});

describe("element-wise ops: symbolic tensors and errors", () => {
  it("records op nodes with null dimensions", () => {
    const s = new SymbolicTensor([null, 3], "float32");
    const y = ops.add(ops.multiply(s, 2), 1);
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 3]);
    assert.deepEqual(ops.add(s, new SymbolicTensor([4, 1], "float32")).shape, [4, 3]);
    assert.deepEqual(ops.less(s, t([1, 2, 3])).dtype, "bool");
    assert.deepEqual(ops.where(ops.greater(s, 0), s, 0).shape, [null, 3]);
  });

  it("names the op and the shapes when broadcasting fails", () => {
    assert.throws(() => ops.add(t([[1, 2, 3]]), t([1, 2])), /ops\.add: cannot broadcast shapes \[1, 3\] and \[2\]/);
    assert.throws(
      () => ops.multiply(new SymbolicTensor([null, 3], "float32"), t([1, 2])),
      /ops\.multiply: cannot broadcast shapes \[null, 3\] and \[2\]/,
    );
  });

  it("rejects a non-boolean condition in where and reversed clip bounds", () => {
    assert.throws(
      () => ops.where(t([1, 0]), 1, 2),
      /ops\.where: condition must be a bool tensor, received dtype float32/,
    );
    assert.throws(() => ops.clip(t([1]), 2, 1), /ops\.clip: xMin \(2\) must not exceed xMax \(1\)/);
  });
});
