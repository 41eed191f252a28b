import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { toTensor } from "./convert.js";
import { Tensor } from "./tensor.js";

const range = (n: number, dtype: "float32" | "int32" = "float32") => {
  const t = Tensor.empty([n], dtype);
  for (let i = 0; i < n; i++) t.data[i] = i;
  return t;
};

describe("Tensor construction", () => {
  it("checks that the data fits the shape", () => {
    assert.throws(
      () => new Tensor(new Float32Array(3), [2, 2]),
      /Tensor: data has 3 elements but shape \[2, 2\] needs 4\./,
    );
  });

  it("takes its dtype from the typed array unless told", () => {
    assert.equal(new Tensor(new Float64Array(2), [2]).dtype, "float64");
    assert.equal(new Tensor(new Int32Array(2), [2]).dtype, "int32");
    assert.equal(new Tensor(new Uint8Array(2), [2]).dtype, "bool");
  });

  it("empty() allocates zeros of the dtype; rank, ndim, size", () => {
    const t = Tensor.empty([2, 3, 4], "int32");
    assert.ok(t.data instanceof Int32Array);
    assert.equal(t.rank, 3);
    assert.equal(t.ndim, 3);
    assert.equal(t.size, 24);
    assert.ok(t.data.every((v) => v === 0));
    assert.equal(Tensor.empty([]).size, 1);
    assert.equal(Tensor.empty([3, 0]).size, 0);
    assert.equal(Tensor.empty([2]).dtype, "float32");
  });

  it("rejects a typed array that does not hold the dtype", () => {
    assert.throws(() => new Tensor(new Float32Array(2), [2], "int32"), /Tensor: .*Float32Array.*int32/);
  });
});

describe("toArray, dataSync, item", () => {
  it("toArray nests by shape; scalars come back as numbers", () => {
    assert.deepEqual(new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(new Tensor(new Int32Array([1, 2, 3, 4]), [2, 1, 2]).toArray(), [[[1, 2]], [[3, 4]]]);
    assert.equal(new Tensor(new Float64Array([2.5]), []).toArray(), 2.5);
    assert.deepEqual(new Tensor(new Float32Array([7]), [1]).toArray(), [7]);
  });

  it("toArray gives booleans for bool tensors", () => {
    assert.deepEqual(new Tensor(new Uint8Array([1, 0, 0, 1]), [2, 2], "bool").toArray(), [
      [true, false],
      [false, true],
    ]);
    assert.equal(new Tensor(new Uint8Array([0]), [], "bool").toArray(), false);
  });

  it("toArray of empty shapes", () => {
    assert.deepEqual(Tensor.empty([0]).toArray(), []);
    assert.deepEqual(Tensor.empty([2, 0]).toArray(), [[], []]);
    assert.deepEqual(Tensor.empty([0, 3]).toArray(), []);
  });

  it("arraySync is toArray", () => {
    const t = toTensor([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(t.arraySync(), t.toArray());
  });

  it("dataSync returns the row-major typed array itself", () => {
    const t = toTensor(
      [
        [1, 2],
        [3, 4],
      ],
      "int32",
    );
    const d = t.dataSync();
    assert.ok(d instanceof Int32Array);
    assert.equal(d, t.data);
    assert.deepEqual(Array.from(d), [1, 2, 3, 4]);
  });

  it("item returns the single value of any one-element tensor", () => {
    assert.equal(toTensor(3.25).item(), 3.25);
    assert.equal(toTensor([[4]], "int32").item(), 4);
    assert.equal(toTensor([[[true]]]).item(), true);
    assert.equal(toTensor(false).item(), false);
  });

  it("item on a tensor of any other size names the shape", () => {
    assert.throws(
      () => Tensor.empty([2, 3]).item(),
      /Tensor\.item: expected a tensor with one element, received shape \[2, 3\]\./,
    );
    assert.throws(() => Tensor.empty([0]).item(), /received shape \[0\]/);
  });
});

describe("toString", () => {
  it("prints shape, dtype and values", () => {
    assert.equal(
      String(
        toTensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
      "Tensor(shape=[2, 3], dtype=float32)\n[[1, 2, 3],\n [4, 5, 6]]",
    );
    assert.equal(String(toTensor(2.5)), "Tensor(shape=[], dtype=float32)\n2.5");
    assert.equal(String(toTensor([true, false])), "Tensor(shape=[2], dtype=bool)\n[true, false]");
    assert.equal(
      String(toTensor([[[1, 2]], [[3, 4]]], "int32")),
      "Tensor(shape=[2, 1, 2], dtype=int32)\n[[[1, 2]],\n [[3, 4]]]",
    );
    assert.equal(String(Tensor.empty([0])), "Tensor(shape=[0], dtype=float32)\n[]");
  });

  it("shows six significant digits, NaN and infinities", () => {
    assert.equal(
      String(toTensor([1 / 3, -2e-7, Number.NaN, Number.NEGATIVE_INFINITY])),
      "Tensor(shape=[4], dtype=float32)\n[0.333333, -2e-7, NaN, -Infinity]",
    );
  });

  it("elides the middle of long axes", () => {
    assert.equal(String(range(100, "int32")), "Tensor(shape=[100], dtype=int32)\n[0, 1, 2, ..., 97, 98, 99]");
    const big = Tensor.empty([1000, 1000]);
    for (let i = 0; i < big.size; i++) big.data[i] = i % 1000;
    const s = String(big);
    assert.ok(s.length < 400, `printed ${s.length} characters`);
    const lines = s.split("\n");
    assert.equal(lines[0], "Tensor(shape=[1000, 1000], dtype=float32)");
    assert.equal(lines[1], "[[0, 1, 2, ..., 997, 998, 999],");
    assert.equal(lines[4], " ...,");
    assert.equal(lines.length, 8);
  });

  it("is what console.log and util.inspect show", () => {
    const t = toTensor([1, 2]);
    assert.equal(inspect(t), t.toString());
  });
});
