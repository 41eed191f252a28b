import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Constant, Identity, Ones, Zeros } from "./constant_initializers.js";

describe("constant initializers", () => {
  it("Zeros and Ones fill the shape in the requested dtype", () => {
    const z = new Zeros().call([2, 3]);
    assert.equal(z.dtype, "float32");
    assert.deepEqual(z.toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const o = new Ones().call([3], "int32");
    assert.equal(o.dtype, "int32");
    assert.deepEqual(o.toArray(), [1, 1, 1]);
    assert.deepEqual(new Ones().call([], "float64").toArray(), 1);
    assert.deepEqual(new Zeros().getConfig(), {});
  });
  it("Constant fills with its value (default 0), cast to the dtype", () => {
    assert.deepEqual(new Constant(2.5).call([2]).toArray(), [2.5, 2.5]);
    assert.deepEqual(new Constant(2.5).call([2], "int32").toArray(), [2, 2]);
    assert.deepEqual(new Constant().call([1]).toArray(), [0]);
    assert.deepEqual(new Constant(-1.5).getConfig(), { value: -1.5 });
    assert.deepEqual(Constant.fromConfig({ value: 4 }).call([1]).toArray(), [4]);
    assert.throws(() => new Constant(Number.NaN), /Constant: value must be a finite number, received NaN/);
  });
  it("Identity is gain times the (rectangular) identity matrix", () => {
    assert.deepEqual(new Identity().call([2, 3]).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(new Identity({ gain: 2 }).call([3, 2], "float64").toArray(), [
      [2, 0],
      [0, 2],
      [0, 0],
    ]);
    assert.deepEqual(new Identity({ gain: 0.5 }).getConfig(), { gain: 0.5 });
    assert.throws(
      () => new Identity().call([2, 2, 2]),
      /Identity: the identity matrix initializer can only be used for 2-D shapes, received shape \[2, 2, 2\] of rank 3/,
    );
  });
  it("clone gives an equal, separate initializer", () => {
    const c = new Constant(3);
    const d = c.clone();
    assert.notEqual(c, d);
    assert.ok(d instanceof Constant);
    assert.deepEqual(d.getConfig(), { value: 3 });
  });
});
