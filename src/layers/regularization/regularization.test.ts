import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { checkGrad } from "../../testing/gradcheck.js";
import { Dropout } from "./dropout.js";

describe("Dropout", () => {
  const x = ops.ones([200, 50]);

  it("is the identity in inference (training false or omitted)", () => {
    const layer = new Dropout(0.5);
    assert.equal(layer(x), x);
    assert.equal(layer(x, { training: false }), x);
  });

  it("in training, zeroes about `rate` of the entries and scales the rest by 1 / (1 - rate)", () => {
    const layer = new Dropout(0.3, { seed: 7 });
    const y = layer(x, { training: true }) as Tensor;
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - 1 / 0.7) < 1e-6, `kept value ${v}`);
    }
    const frac = zeros / y.size;
    assert.ok(Math.abs(frac - 0.3) < 0.02, `dropped fraction ${frac}`);
    // A new mask each call (the layer's seed generator advances).
    const y2 = layer(x, { training: true }) as Tensor;
    assert.notDeepEqual(Array.from(y2.data), Array.from(y.data));
    // The same seed gives the same masks.
    const again = new Dropout(0.3, { seed: 7 })(x, { training: true }) as Tensor;
    assert.deepEqual(Array.from(again.data), Array.from(y.data));
  });

  it("noiseShape shares the mask along axes of size 1", () => {
    const layer = new Dropout(0.5, { noiseShape: [null, 1], seed: 3 });
    const y = layer(ops.ones([40, 6]), { training: true }) as Tensor;
    for (let r = 0; r < 40; r++) {
      const row = Array.from(y.data.slice(r * 6, r * 6 + 6));
      assert.ok(row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2), `row ${row}`);
    }
  });

  it("rate 0 is the identity; rate 1 drops everything", () => {
    assert.equal(new Dropout(0)(x, { training: true }), x);
    const y = new Dropout(1)(ops.ones([2, 3]), { training: true }) as Tensor;
    assert.deepEqual(y.toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("gradient is the mask's scaling (finite differences with a fixed seed per evaluation)", () => {
    const xs = ops.convertToTensor(
      [
        [0.5, -1, 2],
        [3, 0.25, -0.75],
      ],
      "float64",
    );
    checkGrad((a) => new Dropout(0.4, { seed: 11 })(a, { training: true }) as Tensor, [xs]);
  });

  it("keeps symbolic shapes (null batch) and supports masking", () => {
    const layer = new Dropout(0.2);
    const y = layer(new SymbolicTensor([null, 4, 5], "float32"), { training: true });
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 4, 5]);
    assert.equal(layer.supportsMasking, true);
    assert.equal(layer.weights.length, 0);
  });

  it("validates rate and noiseShape, naming the layer", () => {
    assert.throws(
      () => new Dropout(1.5, { name: "drop" }),
      /Layer 'drop' \(Dropout\): .*between 0 and 1, received rate=1.5/,
    );
    assert.throws(() => new Dropout(-0.1), /Layer 'dropout(_\d+)?' \(Dropout\): .*received rate=-0.1/);
    assert.throws(
      () => new Dropout(0.5, { noiseShape: [null, 0] }),
      /noiseShape must hold positive integers or null, received 0 at index 1/,
    );
  });

  it("getConfig holds rate, seed and noiseShape", () => {
    const c = new Dropout(0.25, { name: "d", seed: 5, noiseShape: [null, 1] }).getConfig();
    assert.deepEqual(c, { name: "d", trainable: true, dtype: "float32", rate: 0.25, seed: 5, noiseShape: [null, 1] });
  });
});
