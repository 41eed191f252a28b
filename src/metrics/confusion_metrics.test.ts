import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AUC,
  FalseNegatives,
  FalsePositives,
  Precision,
  PrecisionAtRecall,
  Recall,
  RecallAtPrecision,
  SensitivityAtSpecificity,
  SpecificityAtSensitivity,
  TrueNegatives,
  TruePositives,
} from "./confusion_metrics.js";
import type { Metric } from "./metric.js";
import { isEvenlyDistributedThresholds } from "./metrics_utils.js";
import { batches, close, closeAll, fixtures } from "./test_helpers.js";

const D = fixtures.data;
const PR = fixtures.precision_recall;

function feed(m: Metric, yTrue: unknown[], yPred: unknown[], weights: unknown[] | null = null): Metric {
  const ts = batches(yTrue);
  const ps = batches(yPred);
  const ws = weights ? batches(weights) : null;
  for (let i = 0; i < ts.length; i++) m.updateState(ts[i] as never, ps[i] as never, ws ? (ws[i] as never) : null);
  return m;
}

describe("TruePositives & co. (Keras docstrings)", () => {
  const cases: [new () => Metric, number[], number[]][] = [
    [FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1]],
    [FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0]],
    [TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0]],
    [TruePositives, [0, 1, 1, 1], [1, 0, 1, 1]],
  ];
  for (const [Cls, t, p] of cases) {
    it(`${Cls.name}: 2, then 1 with weights [0, 0, 1, 0]`, () => {
      const m = new Cls();
      m.updateState(t, p);
      assert.equal(m.result().data[0], 2);
      assert.deepEqual(m.result().shape, []);
      m.resetState();
      m.updateState(t, p, [0, 0, 1, 0]);
      assert.equal(m.result().data[0], 1);
    });
  }

  it("count at several thresholds over 3 batches (NumPy)", () => {
    for (const [Cls, key] of [
      [TruePositives, "tp"],
      [FalsePositives, "fp"],
      [TrueNegatives, "tn"],
      [FalseNegatives, "fn"],
    ] as const) {
      const m = feed(new Cls({ thresholds: PR.thresholds }), D.binary_true, D.binary_pred, D.sw);
      closeAll(m.result(), PR[key]);
    }
  });

  it("rejects thresholds outside [0, 1]", () => {
    assert.throws(
      () => new TruePositives({ thresholds: [0.5, 1.5] }),
      /TruePositives: threshold values must be in \[0, 1\], received \[1.5\]/,
    );
  });
});

describe("Precision and Recall", () => {
  it("Keras docstrings: 2/3, 1 with weights; top_k 2 -> 0, top_k 4 -> 0.5", () => {
    const p = new Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    close(p.result().data[0], 2 / 3);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    close(p.result().data[0], 1);
    const k2 = new Precision({ topK: 2 });
    k2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    assert.equal(k2.result().data[0], 0);
    const k4 = new Precision({ topK: 4 });
    k4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    close(k4.result().data[0], 0.5);
    const r = new Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    close(r.result().data[0], 2 / 3);
    r.resetState();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    close(r.result().data[0], 1);
  });

  it("at several thresholds with sample weights over 3 batches (NumPy); a vector result", () => {
    const p = feed(new Precision({ thresholds: PR.thresholds }), D.binary_true, D.binary_pred, D.sw);
    assert.deepEqual(p.result().shape, [3]);
    closeAll(p.result(), PR.precision);
    const r = feed(new Recall({ thresholds: PR.thresholds }), D.binary_true, D.binary_pred, D.sw);
    closeAll(r.result(), PR.recall);
  });

  it("topK and classId (NumPy)", () => {
    close(feed(new Precision({ topK: 2 }), D.onehot, D.probs).result().data[0], PR.top_k_2_precision);
    close(feed(new Recall({ topK: 2 }), D.onehot, D.probs).result().data[0], PR.top_k_2_recall);
    const pc = feed(new Precision({ classId: 1, thresholds: 0.3 }), D.onehot, D.probs, D.sw);
    close(pc.result().data[0], PR["class_1_precision_0.3_weighted"]);
    const rc = feed(new Recall({ classId: 1, thresholds: 0.3 }), D.onehot, D.probs, D.sw);
    close(rc.result().data[0], PR["class_1_recall_0.3_weighted"]);
  });

  it("evenly spaced thresholds take the bucketed path and agree with the per-threshold counts", () => {
    const even = [0, 0.25, 0.5, 0.75, 1];
    assert.ok(isEvenlyDistributedThresholds(even));
    assert.ok(!isEvenlyDistributedThresholds([0, 0.3, 1]));
    const a = feed(new Precision({ thresholds: even }), D.binary_true, D.binary_pred, D.sw).result();
    // The same thresholds, one at a time (not evenly spaced alone).
    even.forEach((t, i) => {
      const one = feed(new Precision({ thresholds: t }), D.binary_true, D.binary_pred, D.sw).result();
      close(a.data[i], one.data[0], 1e-5, `threshold ${t}`);
    });
  });

  it("state, reset, config, errors", () => {
    const p = new Precision({ thresholds: [0.3, 0.6], name: "p" });
    assert.deepEqual(
      p.variables.map((v) => [v.path, v.shape]),
      [
        ["p/true_positives", [2]],
        ["p/false_positives", [2]],
      ],
    );
    p.updateState([1, 0], [0.9, 0.9]);
    p.resetState();
    assert.deepEqual(Array.from(p.result().data), [0, 0]);
    assert.deepEqual(p.getConfig(), { name: "p", dtype: "float32", thresholds: [0.3, 0.6], topK: null, classId: null });
    assert.throws(
      () => new Recall({ classId: 0 }).updateState([1, 0], [0.2, 0.4]),
      /Recall '.*'.updateState: when classId is given, y_pred must have shape \[samples, classes\], received \[2\]/,
    );
    assert.throws(
      () => new Recall().updateState([1, 0, 1], [0.2, 0.4]),
      /Recall '.*'.updateState: y_true and y_pred must have the same shape, received y_true \[3\] and y_pred \[2\]/,
    );
  });

  it("names follow Keras's auto_name (precision, precision_1, ...)", () => {
    const a = new Precision();
    const b = new Precision();
    assert.match(a.name, /^precision(_\d+)?$/);
    assert.notEqual(a.name, b.name);
  });
});

describe("X-at-Y metrics (Keras docstrings)", () => {
  const t = [0, 0, 0, 1, 1];
  const p = [0, 0.3, 0.8, 0.3, 0.8];
  const w = [1, 1, 2, 2, 1];
  it("SensitivityAtSpecificity 0.5, 0.333333", () => {
    const m = new SensitivityAtSpecificity({ specificity: 0.5 });
    m.updateState(t, p);
    close(m.result().data[0], 0.5);
    m.resetState();
    m.updateState(t, p, w);
    close(m.result().data[0], 1 / 3);
  });
  it("SpecificityAtSensitivity 0.66666667, 0.5", () => {
    const m = new SpecificityAtSensitivity({ sensitivity: 0.5 });
    m.updateState(t, p);
    close(m.result().data[0], 2 / 3);
    m.resetState();
    m.updateState(t, p, [1, 1, 2, 2, 2]);
    close(m.result().data[0], 0.5);
  });
  it("PrecisionAtRecall 0.5, 0.33333333", () => {
    const m = new PrecisionAtRecall({ recall: 0.5 });
    m.updateState(t, p);
    close(m.result().data[0], 0.5);
    m.resetState();
    m.updateState(t, p, [2, 2, 2, 1, 1]);
    close(m.result().data[0], 1 / 3);
  });
  it("RecallAtPrecision 0.5, 1.0", () => {
    const m = new RecallAtPrecision({ precision: 0.8 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    close(m.result().data[0], 0.5);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    close(m.result().data[0], 1);
    assert.throws(
      () => new RecallAtPrecision({ precision: 2 }),
      /RecallAtPrecision: precision must be in \[0, 1\], received 2/,
    );
  });
});

describe("AUC", () => {
  it("Keras docstring: 3 thresholds, tp [2, 1, 0], fp [2, 0, 0], AUC 0.75; weighted 1.0", () => {
    const m = new AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    assert.deepEqual(Array.from(m.truePositives.peek().data), [2, 1, 0]);
    assert.deepEqual(Array.from(m.falsePositives.peek().data), [2, 0, 0]);
    assert.deepEqual(Array.from(m.falseNegatives.peek().data), [0, 1, 2]);
    assert.deepEqual(Array.from(m.trueNegatives.peek().data), [0, 2, 2]);
    close(m.result().data[0], 0.75);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    close(m.result().data[0], 1);
    assert.deepEqual(m.thresholds, [-1e-7, 0.5, 1 + 1e-7]);
  });

  for (const c of fixtures.auc.cases) {
    it(`${c.curve} ${c.summation_method}, ${c.num_thresholds} thresholds${c.weighted ? ", weighted" : ""} (NumPy)`, () => {
      const m = new AUC({ numThresholds: c.num_thresholds, curve: c.curve, summationMethod: c.summation_method });
      feed(m, D.binary_true, D.binary_pred, c.weighted ? D.sw : null);
      close(m.result().data[0], c.value, 1e-5);
    });
  }

  it("multiLabel: one curve per label, averaged or weighted by labelWeights (NumPy)", () => {
    const ml = fixtures.auc.multi_label;
    close(
      feed(new AUC({ numThresholds: 50, multiLabel: true }), D.binary_true, D.binary_pred).result().data[0],
      ml.roc,
    );
    const pr = new AUC({ numThresholds: 50, multiLabel: true, curve: "PR", numLabels: 3 });
    assert.deepEqual(pr.truePositives.shape, [50, 3]);
    close(feed(pr, D.binary_true, D.binary_pred).result().data[0], ml.pr);
    const w = new AUC({ numThresholds: 50, multiLabel: true, labelWeights: ml.label_weights });
    close(feed(w, D.binary_true, D.binary_pred).result().data[0], ml.roc_label_weights);
  });

  it("labelWeights without multiLabel weight the flattened counts (NumPy)", () => {
    const m = new AUC({ labelWeights: fixtures.auc.multi_label.label_weights });
    close(feed(m, D.binary_true, D.binary_pred).result().data[0], fixtures.auc.flat_label_weights_roc);
  });

  it("explicit uneven thresholds (per-threshold path) (NumPy)", () => {
    const ex = fixtures.auc.explicit;
    const m = new AUC({ thresholds: [0.9, 0.1, 0.35] });
    assert.equal(m.numThresholds, 5);
    close(feed(m, D.binary_true, D.binary_pred).result().data[0], ex.roc);
    assert.deepEqual(m.getConfig().thresholds, [0.1, 0.35, 0.9]);
  });

  it("fromLogits applies a sigmoid first", () => {
    const logits = [-3, 0.2, -0.4, 2];
    const a = new AUC({ fromLogits: true });
    a.updateState([0, 0, 1, 1], logits);
    const b = new AUC();
    b.updateState(
      [0, 0, 1, 1],
      logits.map((x) => 1 / (1 + Math.exp(-x))),
    );
    close(a.result().data[0], b.result().data[0]);
    close(a.result().data[0], 0.75);
  });

  it("perfect and inverted rankings give 1 and 0; no data gives 0", () => {
    const m = new AUC();
    assert.equal(m.result().data[0], 0);
    m.updateState([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]);
    close(m.result().data[0], 1);
    const inv = new AUC();
    inv.updateState([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]);
    close(inv.result().data[0], 0);
  });

  it("options are checked and the config is Keras's", () => {
    assert.throws(() => new AUC({ numThresholds: 1 }), /AUC: numThresholds must be an integer > 1, received 1/);
    assert.throws(() => new AUC({ curve: "XY" as never }), /AUC: invalid curve "XY"/);
    assert.throws(() => new AUC({ summationMethod: "mid" as never }), /AUC: invalid summationMethod "mid"/);
    assert.throws(() => new AUC({ numLabels: 3 }), /AUC: numLabels is needed only when multiLabel is true/);
    assert.throws(
      () => new AUC({ multiLabel: true }).updateState([1, 0], [0.3, 0.2]),
      /AUC: y_pred must have rank 2 \(\[samples, labels\]\) when multiLabel is true, received shape \[2\]/,
    );
    const c = new AUC({ name: "auc_x", curve: "pr", summationMethod: "Majoring" }).getConfig();
    assert.deepEqual(c, {
      name: "auc_x",
      dtype: "float32",
      numThresholds: 200,
      curve: "PR",
      summationMethod: "majoring",
      multiLabel: false,
      numLabels: null,
      labelWeights: null,
      fromLogits: false,
    });
  });
});
