import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { abs, subtract } from "../ops/elementwise.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import * as metrics from "./index.js";
import { close } from "./test_helpers.js";

describe("metrics.get", () => {
  const spellings: [string[], string][] = [
    [["binary_accuracy", "binaryAccuracy", "BinaryAccuracy"], "BinaryAccuracy"],
    [["categorical_accuracy", "categoricalAccuracy", "CategoricalAccuracy"], "CategoricalAccuracy"],
    [["sparse_categorical_accuracy", "sparseCategoricalAccuracy"], "SparseCategoricalAccuracy"],
    [["top_k_categorical_accuracy", "topKCategoricalAccuracy", "TopKCategoricalAccuracy"], "TopKCategoricalAccuracy"],
    [["sparse_top_k_categorical_accuracy", "sparseTopKCategoricalAccuracy"], "SparseTopKCategoricalAccuracy"],
    [["accuracy", "Accuracy"], "Accuracy"],
    [["binary_crossentropy", "binaryCrossentropy", "bce", "BCE"], "BinaryCrossentropy"],
    [["categorical_crossentropy", "categoricalCrossentropy"], "CategoricalCrossentropy"],
    [["sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"], "SparseCategoricalCrossentropy"],
    [["mean_squared_error", "meanSquaredError", "mse", "MSE", "MeanSquaredError"], "MeanSquaredError"],
    [["mean_absolute_error", "mae", "MAE"], "MeanAbsoluteError"],
    [["mean_absolute_percentage_error", "mape", "MAPE"], "MeanAbsolutePercentageError"],
    [["mean_squared_logarithmic_error", "msle", "MSLE"], "MeanSquaredLogarithmicError"],
    [["root_mean_squared_error", "rootMeanSquaredError"], "RootMeanSquaredError"],
    [["cosine_similarity"], "CosineSimilarity"],
    [["log_cosh_error", "logcosh", "LogCoshError"], "LogCoshError"],
    [["kl_divergence", "KLDivergence", "kld"], "KLDivergence"],
    [["poisson", "Poisson"], "Poisson"],
    [["auc", "AUC"], "AUC"],
    [["precision", "Precision"], "Precision"],
    [["recall", "Recall"], "Recall"],
    [["f1_score", "F1Score", "f1Score"], "F1Score"],
    [["f_beta_score", "FBetaScore"], "FBetaScore"],
    [["true_positives", "truePositives", "TruePositives"], "TruePositives"],
    [["false_positives"], "FalsePositives"],
    [["true_negatives"], "TrueNegatives"],
    [["false_negatives"], "FalseNegatives"],
    [["mean", "Mean"], "Mean"],
    [["sum", "Sum"], "Sum"],
    [["hinge"], "Hinge"],
    [["squared_hinge", "squaredHinge"], "SquaredHinge"],
    [["categorical_hinge"], "CategoricalHinge"],
  ];
  for (const [names, cls] of spellings) {
    it(`${names.join(", ")} -> ${cls}`, () => {
      for (const n of names) {
        const m = metrics.get(n);
        assert.equal(m.constructor.name, cls, n);
        assert.ok(m !== metrics.get(n), "a new instance each time");
      }
    });
  }

  it("Metric instances pass through, classes are instantiated, configs deserialized", () => {
    const m = new metrics.AUC();
    assert.equal(metrics.get(m), m);
    assert.ok(metrics.get(metrics.Recall) instanceof metrics.Recall);
    const fromConfig = metrics.get({ class_name: "BinaryAccuracy", config: { threshold: 0.8, name: "ba" } });
    assert.ok(fromConfig instanceof metrics.BinaryAccuracy);
    assert.equal((fromConfig as metrics.BinaryAccuracy).threshold, 0.8);
    assert.equal(fromConfig.name, "ba");
  });

  it("a function becomes a MeanMetricWrapper named after it", () => {
    const absDiff = (t: AnyTensor, p: AnyTensor) => abs(subtract(t, p));
    const m = metrics.get(absDiff);
    assert.ok(m instanceof metrics.MeanMetricWrapper);
    assert.equal(m.name, "absDiff");
    m.updateState([1, 2] as TensorInput, [2, 4] as TensorInput);
    close(m.result().data[0], 1.5);
  });

  it("an unknown name lists the known ones", () => {
    assert.throws(
      () => metrics.get("acuracy"),
      /metrics.get: unknown metric 'acuracy'. Known metrics: .*binary_accuracy.*mse.*sparse_categorical_accuracy/,
    );
    assert.throws(() => metrics.get(42 as never), /metrics.get: could not interpret metric identifier 42/);
  });

  it("REGISTRY holds snake_case factories", () => {
    assert.ok(metrics.REGISTRY.binary_accuracy() instanceof metrics.BinaryAccuracy);
    assert.ok(metrics.REGISTRY.auc() instanceof metrics.AUC);
    assert.ok(!("precision_at_recall" in metrics.REGISTRY), "classes needing a target value are not made from a name");
  });
});

describe("metrics.serialize / deserialize", () => {
  it("Keras's config dict, snake_case keys, and back", () => {
    const m = new metrics.AUC({ numThresholds: 50, curve: "PR", name: "pr_auc", multiLabel: true, numLabels: 2 });
    const s = metrics.serialize(m);
    assert.deepEqual(s, {
      module: "keras.metrics",
      class_name: "AUC",
      config: {
        name: "pr_auc",
        dtype: "float32",
        num_thresholds: 50,
        curve: "PR",
        summation_method: "interpolation",
        multi_label: true,
        num_labels: 2,
        label_weights: null,
        from_logits: false,
      },
      registered_name: null,
    });
    const back = metrics.deserialize(JSON.parse(JSON.stringify(s))) as metrics.AUC;
    assert.ok(back instanceof metrics.AUC);
    assert.equal(back.numThresholds, 50);
    assert.equal(back.curve, "PR");
    assert.equal(back.multiLabel, true);
    assert.deepEqual(back.truePositives.shape, [50, 2]);
  });

  it("round-trips every default-constructible metric with its options", () => {
    const made = [
      new metrics.BinaryAccuracy({ threshold: 0.3 }),
      new metrics.TopKCategoricalAccuracy({ k: 3 }),
      new metrics.Precision({ thresholds: [0.2, 0.7], topK: 2, classId: 1 }),
      new metrics.F1Score({ average: "weighted", threshold: 0.4 }),
      new metrics.FBetaScore({ beta: 2 }),
      new metrics.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 0 }),
      new metrics.PrecisionAtRecall({ recall: 0.7, numThresholds: 20 }),
      new metrics.CosineSimilarity({ axis: 0 }),
    ];
    for (const m of made) {
      const s = metrics.serialize(m);
      const back = metrics.deserialize(JSON.parse(JSON.stringify(s))) as metrics.Metric;
      assert.equal(back.constructor, m.constructor);
      assert.deepEqual(back.getConfig(), m.getConfig(), m.constructor.name);
    }
    assert.deepEqual(metrics.serialize(new metrics.Precision({ topK: 2, name: "p" })).config, {
      name: "p",
      dtype: "float32",
      thresholds: null,
      top_k: 2,
      class_id: null,
    });
  });

  it("MeanMetricWrapper: builtin functions by name, custom ones through customObjects", () => {
    const w = new metrics.MeanMetricWrapper(metrics.binaryAccuracy, { name: "ba", threshold: 0.2 });
    const s = metrics.serialize(w);
    assert.deepEqual((s.config as Record<string, unknown>).fn, {
      module: "keras.metrics",
      class_name: "function",
      config: "binary_accuracy",
      registered_name: "binary_accuracy",
    });
    const back = metrics.deserialize(JSON.parse(JSON.stringify(s))) as metrics.MeanMetricWrapper;
    assert.equal(back.fn, metrics.binaryAccuracy);
    assert.deepEqual(back.fnOptions, { threshold: 0.2 });
    const myErr = (t: AnyTensor, p: AnyTensor) => abs(subtract(t, p));
    const cs = metrics.serialize(new metrics.MeanMetricWrapper(myErr));
    assert.throws(
      () => metrics.deserialize(cs),
      /metrics.deserialize: unknown metric function 'myErr'. Pass it in customObjects/,
    );
    assert.equal((metrics.deserialize(cs, { myErr }) as metrics.MeanMetricWrapper).fn, myErr);
  });

  it("custom Metric subclasses carry registered_name and come back through customObjects", () => {
    class Count extends metrics.Sum {}
    const s = metrics.serialize(new Count({ name: "n" }));
    assert.equal(s.registered_name, "Count");
    assert.equal(s.module, null);
    assert.throws(
      () => metrics.deserialize(s),
      /metrics.deserialize: unknown metric class 'Count'. Known classes: .*AUC/,
    );
    const back = metrics.deserialize(s, { Count });
    assert.ok(back instanceof Count);
    assert.equal((back as Count).name, "n");
  });
});
