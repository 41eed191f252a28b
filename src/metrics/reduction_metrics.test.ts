import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { setMask } from "../layers/mask.js";
import { abs, multiply, subtract } from "../ops/elementwise.js";
import type { AnyTensor } from "../ops/types.js";
import { Mean, MeanMetricWrapper, reduceToSamplewiseValues, Sum } from "./reduction_metrics.js";
import { close } from "./test_helpers.js";

describe("Sum", () => {
  it("sums values, weighted (Keras's docstring: 16 and 4)", () => {
    const m = new Sum();
    assert.equal(m.name, "sum");
    m.updateState([1, 3, 5, 7]);
    assert.equal(m.result().data[0], 16);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    assert.equal(m.result().data[0], 4);
  });

  it("sums rank-2 values with per-sample weights (values summed per sample)", () => {
    const m = new Sum();
    m.updateState(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 0.5],
    );
    close(m.result().data[0], 3 * 2 + 7 * 0.5);
  });
});

describe("Mean", () => {
  it("averages values, weighted (Keras's docstring: 4 and 2), over several updates", () => {
    const m = new Mean();
    m.updateState([1, 3, 5, 7]);
    assert.equal(m.result().data[0], 4);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    assert.equal(m.result().data[0], 2);
    m.updateState([10], [2]);
    close(m.result().data[0], (4 + 20) / 4);
  });

  it("is 0 before any update and after resetState; variables are non-trainable total and count", () => {
    const m = new Mean({ name: "loss" });
    assert.equal(m.result().data[0], 0);
    assert.deepEqual(
      m.variables.map((v) => [v.path, v.trainable]),
      [
        ["loss/total", false],
        ["loss/count", false],
      ],
    );
    m.updateState([2, 4]);
    m.resetState();
    assert.equal(m.result().data[0], 0);
    assert.equal(m.count.peek().data[0], 0);
  });

  it("takes a scalar value with a count as weight (the trainer's loss tracker)", () => {
    const m = new Mean();
    m.updateState(2, 3);
    m.updateState(6, 1);
    close(m.result().data[0], (2 * 3 + 6) / 4);
  });

  it("reduces rank-2 values per sample: [B, T] weights weight each entry", () => {
    const m = new Mean();
    m.updateState(
      [
        [1, 3],
        [5, 7],
      ],
      [
        [1, 0],
        [1, 1],
      ],
    );
    // Keras: values*w averaged per sample = [0.5, 6], weights averaged per sample = [0.5, 1].
    close(m.result().data[0], 6.5 / 1.5);
  });

  it("keeps float64 when asked", () => {
    const m = new Mean({ dtype: "float64" });
    m.updateState([0.1, 0.2]);
    assert.equal(m.result().dtype, "float64");
    assert.equal(m.result().data[0], (0.1 + 0.2) / 2);
  });

  it("a mask on the values joins given sample weights (Keras's reduce_to_samplewise_values)", () => {
    const values = toTensor([1, 2, 3, 4]);
    setMask(values, toTensor([true, true, false, true], "bool"));
    const [v, w] = reduceToSamplewiseValues(values, toTensor([1, 1, 1, 2]));
    assert.deepEqual(Array.from(v.data), [1, 2, 0, 8]);
    assert.deepEqual(Array.from(w?.data ?? []), [1, 1, 0, 2]);
  });
});

describe("MeanMetricWrapper", () => {
  const absErr = (t: AnyTensor, p: AnyTensor) => abs(subtract(t, p));

  it("averages a per-sample function over every sample of every batch", () => {
    const m = new MeanMetricWrapper(absErr);
    assert.equal(m.name, "absErr");
    m.updateState([0, 0], [1, 3]);
    m.updateState([0], [8]);
    close(m.result().data[0], 4);
  });

  it("passes its extra options to the function", () => {
    const scaled = (t: AnyTensor, p: AnyTensor, o?: { factor: number }) =>
      multiply(abs(subtract(t, p)), o?.factor ?? 1);
    const m = new MeanMetricWrapper(scaled, { name: "s", factor: 3 });
    assert.deepEqual(m.fnOptions, { factor: 3 });
    assert.equal(m.getConfig().factor, 3);
    m.updateState([0, 0], [1, 2]);
    close(m.result().data[0], 4.5);
  });

  it("a mask on y_pred multiplies the sample weights", () => {
    const m = new MeanMetricWrapper(absErr);
    const yPred = toTensor([1, 2, 30, 4]);
    setMask(yPred, toTensor([true, true, false, true], "bool"));
    m.updateState([0, 0, 0, 0], yPred);
    close(m.result().data[0], 7 / 3);
    m.resetState();
    m.updateState([0, 0, 0, 0], yPred, [1, 1, 1, 2]);
    close(m.result().data[0], (1 + 2 + 8) / 4);
  });

  it("refuses symbolic tensors with a clear error", async () => {
    const { SymbolicTensor } = await import("../backend/symbolic_tensor.js");
    const m = new MeanMetricWrapper(absErr);
    assert.throws(
      () => m.updateState(new SymbolicTensor([null, 2], "float32"), toTensor([[1, 2]])),
      /MeanMetricWrapper 'absErr'.updateState: metrics update on concrete values, received a symbolic tensor/,
    );
  });
});
