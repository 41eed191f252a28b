import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { castTensor, toTensor } from "./convert.js";
import { Tensor } from "./tensor.js";

describe("toTensor (convertToTensor)", () => {
  it("infers the shape of nested arrays, float32 by default", () => {
    const t = toTensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, "float32");
    assert.ok(t.data instanceof Float32Array);
    assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
    const c = toTensor([
      [[1], [2]],
      [[3], [4]],
      [[5], [6]],
    ]);
    assert.deepEqual(c.shape, [3, 2, 1]);
    assert.deepEqual(Array.from(c.data), [1, 2, 3, 4, 5, 6]);
    assert.equal(toTensor([0.1]).data[0], Math.fround(0.1));
  });

  it("takes typed arrays as 1-D tensors of their own dtype", () => {
    const f = toTensor(new Float64Array([1.5, 2.5]));
    assert.equal(f.dtype, "float64");
    assert.deepEqual(f.shape, [2]);
    assert.deepEqual(Array.from(f.data), [1.5, 2.5]);
    const i = toTensor(new Int32Array([3, -4, 5]));
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.toArray(), [3, -4, 5]);
    assert.equal(toTensor(new Float32Array(4)).dtype, "float32");
    const cast = toTensor(new Float32Array([1.75, -1.75]), "int32");
    assert.equal(cast.dtype, "int32");
    assert.deepEqual(cast.toArray(), [1, -1]);
  });

  it("makes scalars from numbers and booleans", () => {
    const n = toTensor(3.5);
    assert.deepEqual(n.shape, []);
    assert.equal(n.dtype, "float32");
    assert.equal(n.item(), 3.5);
    const b = toTensor(true);
    assert.equal(b.dtype, "bool");
    assert.equal(b.item(), true);
    assert.equal(toTensor(7, "int32").dtype, "int32");
    assert.equal(toTensor(7, "float64").data.constructor, Float64Array);
  });

  it("makes bool tensors from arrays of booleans", () => {
    const b = toTensor([
      [true, false],
      [false, true],
    ]);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(Array.from(b.data), [1, 0, 0, 1]);
    assert.deepEqual(b.toArray(), [
      [true, false],
      [false, true],
    ]);
    assert.deepEqual(toTensor([true, false], "float32").toArray(), [1, 0]);
  });

  it("honours the dtype argument, its aliases, and truncates toward zero for int32", () => {
    const t = toTensor([2.7, -2.7, 0.5], "int32");
    assert.equal(t.dtype, "int32");
    assert.deepEqual(t.toArray(), [2, -2, 0]);
    assert.equal(toTensor([1], "int").dtype, "int32");
    assert.equal(toTensor([1], "double").dtype, "float64");
    assert.equal(toTensor([1], "float").dtype, "float32");
    // int32 goes straight into an Int32Array: no float32 rounding above 2^24.
    assert.deepEqual(toTensor([16777217], "int32").toArray(), [16777217]);
    assert.throws(
      () => toTensor([1], "int64"),
      /convertToTensor: unknown dtype 'int64'\. Expected one of float32, float64, int32, bool\./,
    );
  });

  it("returns a tensor unchanged, or cast when a dtype is given", () => {
    const t = toTensor([1.5, 2.5]);
    assert.equal(toTensor(t), t);
    assert.equal(toTensor(t, "float32"), t);
    const d = toTensor(t, "float64");
    assert.notEqual(d, t);
    assert.equal(d.dtype, "float64");
    assert.deepEqual(d.toArray(), [1.5, 2.5]);
  });

  it("makes empty tensors from empty arrays", () => {
    const e = toTensor([]);
    assert.deepEqual(e.shape, [0]);
    assert.equal(e.dtype, "float32");
    assert.equal(e.size, 0);
    assert.deepEqual(toTensor([[]]).shape, [1, 0]);
    assert.deepEqual(toTensor([[], [], []]).shape, [3, 0]);
    assert.deepEqual(toTensor([[]]).toArray(), [[]]);
    assert.equal(toTensor([], "int32").dtype, "int32");
  });

  it("reports ragged arrays with the first offending position and the inferred shape", () => {
    assert.throws(
      () => toTensor([[1, 2], [3]]),
      /convertToTensor: ragged nested array at position \[1\]: expected an array of length 2, received an array of length 1 \(inferred shape \[2, 2\]\)/,
    );
    assert.throws(
      () =>
        toTensor([
          [
            [1, 2],
            [3, 4],
          ],
          [[5, 6], [7]],
        ]),
      /ragged nested array at position \[1\]\[1\]: expected an array of length 2, received an array of length 1 \(inferred shape \[2, 2, 2\]\)/,
    );
    assert.throws(
      () => toTensor([[1, 2], 3] as never),
      /ragged nested array at position \[1\]: expected an array of length 2, received number 3/,
    );
    assert.throws(
      () => toTensor([1, [2]]),
      /ragged or invalid nested array at position \[1\]: expected a number, received an array of length 1 \(inferred shape \[2\]\)/,
    );
    assert.throws(
      () => toTensor([[], [1]]),
      /position \[1\]: expected an array of length 0, received an array of length 1/,
    );
  });

  it("rejects values that are not numbers, booleans or arrays", () => {
    assert.throws(() => toTensor([1, null] as never), /at position \[1\]: expected a number, received null/);
    assert.throws(() => toTensor([[1, "a"]] as never), /at position \[0\]\[1\]: expected a number, received string a/);
    assert.throws(
      () => toTensor({ a: 1 } as never),
      /convertToTensor: expected a number, boolean, nested array, typed array or Tensor, received an object \(Object\)/,
    );
    assert.throws(() => toTensor("3" as never), /received string 3/);
  });

  it("infers float32 when booleans and numbers are mixed", () => {
    const t = toTensor([true, 2.5]);
    assert.equal(t.dtype, "float32");
    assert.deepEqual(t.toArray(), [1, 2.5]);
  });

  it("stores 0/1 when asked for bool", () => {
    assert.deepEqual(Array.from(toTensor(5, "bool").data), [1]);
    assert.deepEqual(Array.from(toTensor([0.5, 2, 0], "bool").data), [1, 1, 0]);
  });

  it("does not turn byte arrays into bool tensors", () => {
    const t = toTensor(new Uint8Array([0, 5, 255]));
    assert.notEqual(t.dtype, "bool");
    assert.deepEqual(t.toArray(), [0, 5, 255]);
  });
});

describe("castTensor", () => {
  const x = toTensor([-1.5, -0.5, 0, 0.25, 2.75, Number.NaN], "float64");

  it("returns the same tensor for the same dtype", () => {
    assert.equal(castTensor(x, "float64"), x);
  });

  it("float to int32 truncates toward zero (NaN becomes 0)", () => {
    const i = castTensor(x, "int32");
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.toArray(), [-1, 0, 0, 0, 2, 0]);
    assert.deepEqual(i.shape, x.shape);
  });

  it("to bool: nonzero is true, NaN too (as in NumPy), zero is false", () => {
    const b = castTensor(x, "bool");
    assert.deepEqual(b.toArray(), [true, true, false, true, true, true]);
    assert.deepEqual(Array.from(b.data), [1, 1, 0, 1, 1, 1]);
  });

  it("bool and int32 to float, and float64 to float32 rounding", () => {
    assert.deepEqual(castTensor(toTensor([true, false]), "float32").toArray(), [1, 0]);
    assert.deepEqual(castTensor(toTensor([3, -4], "int32"), "float64").toArray(), [3, -4]);
    assert.equal(castTensor(toTensor([0.1], "float64"), "float32").data[0], Math.fround(0.1));
  });

  it("copies: the result never shares the source buffer", () => {
    const src = toTensor([1, 2], "float64");
    const out = castTensor(src, "float32");
    assert.ok(out instanceof Tensor);
    assert.notEqual(out.data.buffer, src.data.buffer);
  });
});
