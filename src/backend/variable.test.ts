import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "./convert.js";
import { setVariableReadHook, Variable } from "./variable.js";

describe("Variable construction", () => {
  it("takes shape and dtype from its initial value; trainable by default", () => {
    const v = new Variable([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(v.shape, [2, 2]);
    assert.equal(v.dtype, "float32");
    assert.equal(v.trainable, true);
    assert.match(v.name, /^variable_\d+$/);
    assert.equal(v.path, v.name);
    assert.deepEqual(v.toArray(), [
      [1, 2],
      [3, 4],
    ]);
  });

  it("honours name, trainable and dtype options (casting the initial value)", () => {
    const v = new Variable([1.7, -2.7], { name: "k", trainable: false, dtype: "int32" });
    assert.equal(v.name, "k");
    assert.equal(v.path, "k");
    assert.equal(v.trainable, false);
    assert.equal(v.dtype, "int32");
    assert.deepEqual(v.toArray(), [1, -2]);
    assert.equal(new Variable(0).shape.length, 0);
    assert.throws(() => new Variable([1], { dtype: "int8" }), /Variable: unknown dtype 'int8'/);
  });

  it("gives each variable a distinct id", () => {
    assert.notEqual(new Variable(1).id, new Variable(1).id);
  });

  it("reading .value notifies the read hook; peek() does not", () => {
    const v = new Variable([1, 2]);
    const seen: Variable[] = [];
    setVariableReadHook((x) => seen.push(x));
    try {
      v.peek();
      assert.equal(seen.length, 0);
      assert.deepEqual(v.value.toArray(), [1, 2]);
      assert.deepEqual(seen, [v]);
    } finally {
      setVariableReadHook(null);
    }
  });

  it("prints its path, shape, dtype and trainability", () => {
    const v = new Variable([[1, 2, 3]], { name: "bias" });
    v.path = "dense/bias";
    assert.equal(String(v), "<Variable path=dense/bias, shape=[1, 3], dtype=float32, trainable=true>");
  });
});

describe("Variable.assign", () => {
  it("replaces the value without writing the old tensor (tapes keep it)", () => {
    const v = new Variable([1, 2, 3]);
    const before = v.peek();
    assert.equal(v.assign([4, 5, 6]), v);
    assert.deepEqual(v.toArray(), [4, 5, 6]);
    assert.deepEqual(before.toArray(), [1, 2, 3]);
    v.assign(toTensor([7, 8, 9]));
    assert.deepEqual(v.toArray(), [7, 8, 9]);
  });

  it("casts the new value to the variable's dtype", () => {
    const i = new Variable([0, 0], { dtype: "int32" });
    i.assign([1.9, -1.9]);
    assert.equal(i.peek().dtype, "int32");
    assert.deepEqual(i.toArray(), [1, -1]);
    const f = new Variable([0, 0]);
    f.assign(toTensor([3, 4], "int32"));
    assert.equal(f.peek().dtype, "float32");
    assert.deepEqual(f.toArray(), [3, 4]);
    f.assign(toTensor([0.1, 0.2], "float64"));
    assert.ok(f.peek().data instanceof Float32Array);
    assert.equal(f.peek().data[0], Math.fround(0.1));
    const b = new Variable([true, false]);
    b.assign([0, 3]);
    assert.deepEqual(b.toArray(), [false, true]);
  });

  it("keeps integers above 2^24 exact in int32 variables", () => {
    const v = new Variable([0], { dtype: "int32" });
    v.assign([16777219]);
    assert.deepEqual(v.toArray(), [16777219]);
  });

  it("rejects a shape change, naming the variable by its path", () => {
    const v = new Variable([1, 2], { name: "k" });
    assert.throws(() => v.assign([1, 2, 3]), /Variable 'k'\.assign: expected shape \[2\], received \[3\]\./);
    v.path = "began_loss/k";
    assert.throws(
      () => v.assign([[1, 2]]),
      /Variable 'began_loss\/k'\.assign: expected shape \[2\], received \[1, 2\]\./,
    );
    assert.throws(() => v.assign(5), /expected shape \[2\], received \[\]/);
    assert.deepEqual(v.toArray(), [1, 2]);
  });
});

describe("Variable.assignAdd and assignSub", () => {
  it("add and subtract tensors of the same shape", () => {
    const v = new Variable([
      [1, 2],
      [3, 4],
    ]);
    const before = v.peek();
    assert.equal(
      v.assignAdd([
        [10, 20],
        [30, 40],
      ]),
      v,
    );
    assert.deepEqual(v.toArray(), [
      [11, 22],
      [33, 44],
    ]);
    v.assignSub(
      toTensor([
        [1, 1],
        [1, 1],
      ]),
    );
    assert.deepEqual(v.toArray(), [
      [10, 21],
      [32, 43],
    ]);
    assert.deepEqual(before.toArray(), [
      [1, 2],
      [3, 4],
    ]);
    assert.equal(v.peek().dtype, "float32");
  });

  it("broadcast a scalar delta", () => {
    const v = new Variable([1, 2, 3]);
    v.assignAdd(0.5);
    assert.deepEqual(v.toArray(), [1.5, 2.5, 3.5]);
    v.assignSub([[2]]);
    assert.deepEqual(v.toArray(), [-0.5, 0.5, 1.5]);
    const k = new Variable(0, { trainable: false });
    k.assignAdd(0.25);
    k.assignAdd(0.25);
    assert.equal(k.peek().item(), 0.5);
  });

  it("keep the variable's dtype", () => {
    const i = new Variable([5, 6], { dtype: "int32" });
    i.assignAdd([1, 2]);
    assert.equal(i.peek().dtype, "int32");
    assert.deepEqual(i.toArray(), [6, 8]);
    i.assignSub(toTensor([0.5, 0.5], "float64"));
    assert.deepEqual(i.toArray(), [5, 7]);
    const d = new Variable([0.1], { dtype: "float64" });
    d.assignAdd(toTensor([0.2], "float64"));
    assert.equal(d.peek().dtype, "float64");
    assert.equal(d.peek().data[0], 0.1 + 0.2);
    const b = new Variable([true, false]);
    b.assignAdd(1);
    assert.equal(b.peek().dtype, "bool");
    assert.deepEqual(b.toArray(), [true, true]);
  });

  it("add JS numbers to float64 variables exactly", () => {
    const d = new Variable([0.1], { dtype: "float64" });
    d.assignAdd(0.2);
    assert.equal(d.peek().data[0], 0.1 + 0.2);
  });

  it("reject a delta of another shape, naming the variable", () => {
    const v = new Variable([1, 2], { name: "moving_mean" });
    assert.throws(
      () => v.assignAdd([1, 2, 3]),
      /Variable 'moving_mean'\.assignAdd: expected shape \[2\] or a scalar, received \[3\]\./,
    );
    assert.throws(
      () => v.assignSub([[1, 2]]),
      /Variable 'moving_mean'\.assignSub: expected shape \[2\] or a scalar, received \[1, 2\]\./,
    );
    assert.deepEqual(v.toArray(), [1, 2]);
  });
});
