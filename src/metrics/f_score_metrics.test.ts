import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { F1Score, FBetaScore, type FScoreAverage } from "./f_score_metrics.js";
import { batches, close, closeAll, fixtures } from "./test_helpers.js";

const D = fixtures.data;
const yTrue = [
  [1, 1, 1],
  [1, 0, 0],
  [1, 1, 0],
];
const yPred = [
  [0.2, 0.6, 0.7],
  [0.2, 0.6, 0.6],
  [0.6, 0.8, 0.0],
];

describe("F1Score and FBetaScore", () => {
  it("Keras docstrings: F1 [0.5, 0.8, 0.6666667], F2 [0.3846154, 0.90909094, 0.8333334]", () => {
    const f1 = new F1Score({ threshold: 0.5 });
    f1.updateState(yTrue, yPred);
    closeAll(f1.result(), [0.5, 0.8, 0.6666667]);
    const f2 = new FBetaScore({ beta: 2.0, threshold: 0.5 });
    f2.updateState(yTrue, yPred);
    closeAll(f2.result(), [0.3846154, 0.90909094, 0.8333334]);
  });

  for (const c of fixtures.fscore) {
    const label = `average ${c.average}, threshold ${c.threshold}, beta ${c.beta}${c.weighted ? ", weighted" : ""} on ${c.y} labels (NumPy, 3 batches)`;
    it(label, () => {
      const m =
        c.beta === 1
          ? new F1Score({ average: c.average as FScoreAverage, threshold: c.threshold })
          : new FBetaScore({ average: c.average as FScoreAverage, threshold: c.threshold, beta: c.beta });
      const ts = batches(c.y === "binary" ? D.binary_true : D.onehot);
      const ps = batches(c.y === "binary" ? D.binary_pred : D.probs);
      const ws = batches(D.sw as number[]);
      for (let i = 0; i < ts.length; i++) m.updateState(ts[i] as never, ps[i] as never, c.weighted ? ws[i] : null);
      if (Array.isArray(c.value)) closeAll(m.result(), c.value, 2e-5);
      else {
        assert.deepEqual(m.result().shape, []);
        close(m.result().data[0], c.value, 2e-5);
      }
    });
  }

  it("state per class (or pooled for micro), reset, config", () => {
    const m = new F1Score({ average: "macro", name: "f1" });
    m.updateState(yTrue, yPred);
    assert.deepEqual(
      m.variables.map((v) => [v.name, v.shape]),
      [
        ["true_positives", [3]],
        ["false_positives", [3]],
        ["false_negatives", [3]],
        ["intermediate_weights", [3]],
      ],
    );
    m.resetState();
    assert.equal(m.result().data[0], 0);
    const micro = new F1Score({ average: "micro" });
    micro.updateState(yTrue, yPred);
    assert.deepEqual(micro.truePositives.shape, []);
    assert.deepEqual(m.getConfig(), { name: "f1", dtype: "float32", average: "macro", threshold: null });
    assert.equal(new FBetaScore().name, "fbeta_score");
    assert.equal(new FBetaScore({ beta: 0.5 }).getConfig().beta, 0.5);
  });

  it("checks its options and inputs", () => {
    assert.throws(() => new F1Score({ average: "mean" as never }), /F1Score: invalid average "mean"/);
    assert.throws(() => new FBetaScore({ beta: 0 }), /FBetaScore: beta must be a number > 0, received 0/);
    assert.throws(
      () => new F1Score({ threshold: 1.5 }),
      /F1Score: threshold must satisfy 0 < threshold <= 1, received 1.5/,
    );
    assert.throws(
      () => new F1Score().updateState([1, 0], [0.3, 0.2]),
      /F1Score: expects 2D inputs of shape \[batch_size, output_dim\], received y_pred \[2\] and y_true \[2\]/,
    );
  });
});
