import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { grad } from "../autodiff/grad.js";
import { arange, convertToTensor, eye, full, fullLike, ones, onesLike, zeros, zerosLike } from "./creation.js";
import { add, multiply } from "./elementwise.js";
import { sum } from "./reduction.js";

describe("zeros, ones, full", () => {
  it("fill the requested shape and dtype (float32 by default)", () => {
    const z = zeros([2, 3]);
    assert.deepEqual(z.shape, [2, 3]);
    assert.equal(z.dtype, "float32");
    assert.ok(z.data instanceof Float32Array);
    assert.deepEqual(z.toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const o = ones([2, 2], "float64");
    assert.ok(o.data instanceof Float64Array);
    assert.deepEqual(o.toArray(), [
      [1, 1],
      [1, 1],
    ]);
    assert.deepEqual(ones([3], "int32").toArray(), [1, 1, 1]);
    assert.equal(ones([3], "int32").dtype, "int32");
    assert.deepEqual(ones([2], "bool").toArray(), [true, true]);
    assert.deepEqual(zeros([0, 4]).shape, [0, 4]);
    assert.equal(zeros([]).item(), 0);
  });

  it("accept an integer for a 1-D shape, as NumPy does", () => {
    assert.deepEqual(zeros(3).shape, [3]);
    assert.deepEqual(full(2, 4).toArray(), [4, 4]);
  });

  it("full: value, dtype inference and casting", () => {
    assert.deepEqual(full([2, 2], 7).toArray(), [
      [7, 7],
      [7, 7],
    ]);
    assert.equal(full([2], 7).dtype, "float32");
    assert.equal(full([2], true).dtype, "bool");
    assert.deepEqual(full([2], true).toArray(), [true, true]);
    assert.deepEqual(full([2], 2.7, "int32").toArray(), [2, 2]);
    assert.deepEqual(Array.from(full([3], 0.5).data), [0.5, 0.5, 0.5]);
    // bool stores 1 for any nonzero value.
    assert.deepEqual(Array.from(full([2], 5, "bool").data), [1, 1]);
    assert.deepEqual(Array.from(full([2], 0, "bool").data), [0, 0]);
    // NaN is true, as castTensor and NumPy have it.
    assert.deepEqual(full([1], Number.NaN, "bool").toArray(), [true]);
  });

  it("reject bad shapes and dtypes with messages naming the op", () => {
    assert.throws(() => zeros([2, -1]), /ops\.zeros: shape must hold non-negative integers, received \[2, -1\]/);
    assert.throws(() => ones([1.5]), /ops\.full: shape must hold non-negative integers, received \[1\.5\]/);
    assert.throws(() => full([2], 1, "int64"), /unknown dtype 'int64'/);
    assert.throws(
      () => zeros("3" as unknown as number[]),
      /ops\.zeros: shape must be an array of non-negative integers, received 3/,
    );
  });
});

describe("arange", () => {
  it("int32 for integer arguments", () => {
    const a = arange(5);
    assert.equal(a.dtype, "int32");
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(2, 10, 3).toArray(), [2, 5, 8]);
    assert.deepEqual(arange(-3, 3, 2).toArray(), [-3, -1, 1]);
  });

  it("float32 when any argument is fractional", () => {
    const a = arange(0, 1, 0.25);
    assert.equal(a.dtype, "float32");
    assert.deepEqual(a.toArray(), [0, 0.25, 0.5, 0.75]);
    assert.deepEqual(arange(2.5).toArray(), [0, 1, 2]);
    assert.equal(arange(2.5).dtype, "float32");
    assert.equal(arange(0, 1, 0.1).size, 10);
  });

  it("negative steps count down, excluding stop", () => {
    assert.deepEqual(arange(5, 0, -1).toArray(), [5, 4, 3, 2, 1]);
    assert.deepEqual(arange(1, -1, -0.5).toArray(), [1, 0.5, 0, -0.5]);
    assert.deepEqual(arange(10, 1, -4).toArray(), [10, 6, 2]);
  });

  it("empty ranges and explicit dtypes", () => {
    assert.deepEqual(arange(3, 3).shape, [0]);
    assert.deepEqual(arange(5, 0).shape, [0]);
    assert.deepEqual(arange(0, 5, -1).shape, [0]);
    const f = arange(0, 3, 1, "float64");
    assert.equal(f.dtype, "float64");
    assert.deepEqual(f.toArray(), [0, 1, 2]);
  });

  it("rejects a zero step and non-finite arguments", () => {
    assert.throws(() => arange(0, 5, 0), /ops\.arange: step must not be 0/);
    assert.throws(
      () => arange(0, Number.POSITIVE_INFINITY),
      /ops\.arange: start, stop and step must be finite numbers, received 0, Infinity, 1/,
    );
    assert.throws(() => arange(Number.NaN), /ops\.arange: start, stop and step must be finite/);
  });
});

describe("eye", () => {
  it("identity, rectangular and offset diagonals", () => {
    assert.deepEqual(eye(3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assert.equal(eye(3).dtype, "float32");
    assert.deepEqual(eye(2, 3, 1).toArray(), [
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(eye(3, null, -1).toArray(), [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(eye(3, 2).toArray(), [
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    assert.deepEqual(eye(2, 2, 5).toArray(), [
      [0, 0],
      [0, 0],
    ]);
    const i = eye(2, 2, 0, "int32");
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.toArray(), [
      [1, 0],
      [0, 1],
    ]);
  });

  it("rejects bad sizes and offsets", () => {
    assert.throws(() => eye(-1), /ops\.eye: shape must hold non-negative integers, received \[-1, -1\]/);
    assert.throws(() => eye(2, 2, 0.5), /ops\.eye: k must be an integer, received 0\.5/);
  });
});

describe("zerosLike, onesLike, fullLike", () => {
  const xi = convertToTensor([[1, 2, 3]], "int32");

  it("keep the input's shape and dtype unless a dtype is given", () => {
    const z = zerosLike(xi);
    assert.deepEqual(z.shape, [1, 3]);
    assert.equal(z.dtype, "int32");
    assert.deepEqual(z.toArray(), [[0, 0, 0]]);
    const o = onesLike(xi, "float64");
    assert.equal(o.dtype, "float64");
    assert.deepEqual(o.toArray(), [[1, 1, 1]]);
    const f = fullLike(convertToTensor([1, 2]), 3.5);
    assert.equal(f.dtype, "float32");
    assert.deepEqual(f.toArray(), [3.5, 3.5]);
    assert.deepEqual(fullLike(xi, 2.9).toArray(), [[2, 2, 2]]);
    assert.deepEqual(fullLike(xi, true, "bool").toArray(), [[true, true, true]]);
    assert.deepEqual(Array.from(fullLike(xi, 2, "bool").data), [1, 1, 1]);
    assert.deepEqual(onesLike(new Variable([[1, 2]])).toArray(), [[1, 1]]);
    assert.deepEqual(zerosLike([4, 5]).toArray(), [0, 0]);
  });

  it("on symbolic tensors keep unknown dims", () => {
    const s = new SymbolicTensor([null, 3], "float32");
    const z = zerosLike(s);
    assert.ok(z instanceof SymbolicTensor);
    assert.deepEqual(z.shape, [null, 3]);
    assert.equal(z.dtype, "float32");
    const o = onesLike(s, "int32");
    assert.ok(o instanceof SymbolicTensor);
    assert.deepEqual(o.shape, [null, 3]);
    assert.equal(o.dtype, "int32");
    assert.deepEqual(fullLike(new SymbolicTensor([2, null, null], "float64"), 1).shape, [2, null, null]);
  });

  it("carry no gradient back to their input", () => {
    const g = grad((x: Tensor) => sum(add(multiply(x, 3), onesLike(x))))(convertToTensor([1, 2], "float64")) as Tensor;
    assert.deepEqual(g.toArray(), [3, 3]);
  });
});

describe("ops.convertToTensor", () => {
  it("converts nested arrays and honours the dtype without a float32 detour", () => {
    const t = convertToTensor([
      [1, 2],
      [3, 4],
    ]);
    assert.equal(t.dtype, "float32");
    assert.deepEqual(t.shape, [2, 2]);
    // 2^24 + 1 is not a float32: it must go straight to int32.
    assert.deepEqual(convertToTensor([16777217], "int32").toArray(), [16777217]);
    assert.deepEqual(Array.from(convertToTensor([0.5, 2, 0], "bool").data), [1, 1, 0]);
    const f = convertToTensor(convertToTensor([1.5, -2.5]), "int32");
    assert.equal(f.dtype, "int32");
    assert.deepEqual(f.toArray(), [1, -2]);
  });

  it("reads variables and refuses symbolic tensors", () => {
    assert.deepEqual(convertToTensor(new Variable([7, 8])).toArray(), [7, 8]);
    assert.throws(
      () => convertToTensor(new SymbolicTensor([null], "float32") as unknown as Tensor),
      /ops\.convertToTensor: received a symbolic tensor, which holds no values/,
    );
  });
});
