import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DType } from "../backend/dtypes.js";
import { full } from "../ops/creation.js";
import * as initializers from "./index.js";

describe("initializers.get", () => {
  it("accepts Keras's snake_case names, class names and camelCase", () => {
    const cases: [string, unknown][] = [
      ["glorot_uniform", initializers.GlorotUniform],
      ["GlorotUniform", initializers.GlorotUniform],
      ["glorotUniform", initializers.GlorotUniform],
      ["glorot_normal", initializers.GlorotNormal],
      ["he_normal", initializers.HeNormal],
      ["heUniform", initializers.HeUniform],
      ["lecun_normal", initializers.LecunNormal],
      ["LecunUniform", initializers.LecunUniform],
      ["random_normal", initializers.RandomNormal],
      ["normal", initializers.RandomNormal],
      ["uniform", initializers.RandomUniform],
      ["truncatedNormal", initializers.TruncatedNormal],
      ["variance_scaling", initializers.VarianceScaling],
      ["zeros", initializers.Zeros],
      ["zero", initializers.Zeros],
      ["ones", initializers.Ones],
      ["one", initializers.Ones],
      ["constant", initializers.Constant],
      ["orthogonal", initializers.Orthogonal],
      ["OrthogonalInitializer", initializers.Orthogonal],
      ["identity", initializers.Identity],
      ["IdentityInitializer", initializers.Identity],
    ];
    for (const [name, cls] of cases) {
      const init = initializers.get(name);
      assert.equal(init.constructor, cls, name);
    }
  });
  it("gives a new instance per name, each with its own drawn seed", () => {
    const a = initializers.get("glorot_uniform");
    const b = initializers.get("glorot_uniform");
    assert.notEqual(a, b);
    assert.notDeepEqual(Array.from(a.call([3, 3], "float32").data), Array.from(b.call([3, 3], "float32").data));
  });
  it("passes initializers through, instantiates classes, wraps functions", () => {
    const init = new initializers.Ones();
    assert.equal(initializers.get(init), init);
    assert.ok(initializers.get(initializers.HeNormal) instanceof initializers.HeNormal);
    const fn = (shape: number[], dtype: DType) => full(shape, 7, dtype);
    const wrapped = initializers.get(fn);
    assert.ok(wrapped instanceof initializers.Initializer);
    assert.deepEqual(wrapped.call([2], "int32").toArray(), [7, 7]);
    assert.equal(initializers.get(null), null);
  });
  it("rebuilds from a serialized config", () => {
    const s = initializers.serialize(new initializers.RandomNormal({ mean: 1, stddev: 0.5, seed: 3 }));
    assert.deepEqual(s, { className: "RandomNormal", config: { seed: 3, mean: 1, stddev: 0.5 } });
    const back = initializers.get(s);
    assert.deepEqual(
      Array.from(back.call([4], "float32").data),
      Array.from(new initializers.RandomNormal({ mean: 1, stddev: 0.5, seed: 3 }).call([4]).data),
    );
    const k = initializers.get({ class_name: "VarianceScaling", config: { scale: 2, mode: "fan_out", seed: 1 } });
    assert.deepEqual(k.getConfig(), { seed: 1, scale: 2, mode: "fan_out", distribution: "truncated_normal" });
  });
  it("names the unknown identifier and lists the known ones", () => {
    assert.throws(
      () => initializers.get("glorot_unifrom"),
      /initializers.get: unknown initializer 'glorot_unifrom'. Known initializers: constant, zeros, ones, identity, random_normal, truncated_normal, random_uniform, variance_scaling, glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, orthogonal/,
    );
    assert.throws(() => initializers.get({ className: "Nope" }), /unknown initializer 'Nope'/);
    assert.throws(() => initializers.get(42 as never), /could not interpret initializer identifier 42/);
  });
  it("has camelCase factories", () => {
    assert.deepEqual(initializers.glorotUniform({ seed: 1 }).getConfig(), { seed: 1 });
    assert.ok(initializers.heNormal() instanceof initializers.HeNormal);
    assert.deepEqual(initializers.constant(3).getConfig(), { value: 3 });
    assert.deepEqual(initializers.randomUniform({ minval: 0, maxval: 1, seed: 2 }).getConfig(), {
      seed: 2,
      minval: 0,
      maxval: 1,
    });
    assert.deepEqual(initializers.orthogonal({ gain: 2, seed: 1 }).getConfig(), { seed: 1, gain: 2 });
    assert.deepEqual(initializers.identity({ gain: 3 }).getConfig(), { gain: 3 });
    assert.deepEqual(initializers.varianceScaling({ scale: 3, seed: 1 }).getConfig(), {
      seed: 1,
      scale: 3,
      mode: "fan_in",
      distribution: "truncated_normal",
    });
  });
});
