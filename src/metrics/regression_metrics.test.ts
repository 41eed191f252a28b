import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CategoricalHinge, Hinge, SquaredHinge } from "./hinge_metrics.js";
import type { Metric } from "./metric.js";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  KLDivergence,
  Poisson,
  SparseCategoricalCrossentropy,
} from "./probabilistic_metrics.js";
import {
  CosineSimilarity,
  cosineSimilarity,
  LogCoshError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
} from "./regression_metrics.js";
import { batches, close, fixtures } from "./test_helpers.js";
import type { Tensor } from "../backend/tensor.js";

const D = fixtures.data;
const R = fixtures.regression;

function run(m: Metric, yTrue: unknown[], yPred: unknown[], weighted: boolean): number {
  const ts = batches(yTrue);
  const ps = batches(yPred);
  const ws = batches(D.sw as number[]);
  for (let i = 0; i < ts.length; i++) m.updateState(ts[i] as never, ps[i] as never, weighted ? ws[i] : null);
  return m.result().data[0];
}

describe("loss-function metrics against NumPy (Keras's formulas), over 3 uneven batches", () => {
  const cases: [string, () => Metric, unknown[], unknown[]][] = [
    ["mean_squared_error", () => new MeanSquaredError(), D.reg_true, D.reg_pred],
    ["mean_absolute_error", () => new MeanAbsoluteError(), D.reg_true, D.reg_pred],
    ["mean_absolute_percentage_error", () => new MeanAbsolutePercentageError(), D.reg_true, D.reg_pred],
    ["mean_squared_logarithmic_error", () => new MeanSquaredLogarithmicError(), D.reg_true, D.reg_pred],
    ["root_mean_squared_error", () => new RootMeanSquaredError(), D.reg_true, D.reg_pred],
    ["cosine_similarity", () => new CosineSimilarity(), D.reg_true, D.reg_pred],
    ["logcosh", () => new LogCoshError(), D.reg_true, D.reg_pred],
    ["binary_crossentropy", () => new BinaryCrossentropy(), D.binary_true, D.binary_pred],
    ["categorical_crossentropy", () => new CategoricalCrossentropy(), D.onehot, D.probs],
    ["sparse_categorical_crossentropy", () => new SparseCategoricalCrossentropy(), D.labels, D.probs],
    ["kl_divergence", () => new KLDivergence(), D.onehot, D.probs],
    ["poisson", () => new Poisson(), D.reg_true, D.reg_pred],
    ["hinge", () => new Hinge(), D.binary_true, D.binary_pred],
    ["squared_hinge", () => new SquaredHinge(), D.binary_true, D.binary_pred],
    ["categorical_hinge", () => new CategoricalHinge(), D.onehot, D.probs],
  ];
  for (const [key, make, t, p] of cases) {
    it(`${key} (${make().constructor.name}), unweighted and weighted`, () => {
      assert.equal(make().name, key);
      close(run(make(), t, p, false), R[key].plain, 2e-5);
      close(run(make(), t, p, true), R[key].weighted, 2e-5);
    });
  }
});

describe("regression metrics", () => {
  it("RootMeanSquaredError takes the root of the epoch's mean (Keras docstring: 0.5, 0.70710677)", () => {
    const m = new RootMeanSquaredError();
    m.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [1, 1],
        [0, 0],
      ],
    );
    close(m.result().data[0], 0.5);
    m.resetState();
    m.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [1, 1],
        [0, 0],
      ],
      [1, 0],
    );
    close(m.result().data[0], Math.SQRT1_2);
    // Over two batches: sqrt of the pooled mean, not the mean of the roots.
    const r = new RootMeanSquaredError();
    r.updateState([0], [3]);
    r.updateState([0, 0, 0], [0, 0, 0]);
    close(r.result().data[0], Math.sqrt(9 / 4));
  });

  it("CosineSimilarity is positive for equal directions, along `axis` (Keras docstring: 0.49999997)", () => {
    const m = new CosineSimilarity({ axis: 1 });
    m.updateState(
      [
        [0, 1],
        [1, 1],
      ],
      [
        [1, 0],
        [1, 1],
      ],
    );
    close(m.result().data[0], 0.5);
    close((cosineSimilarity([[2, 0]], [[3, 0]]) as Tensor).data[0], 1);
  });

  it("crossentropy metrics take fromLogits and labelSmoothing (as the losses)", () => {
    const logits = [
      [2, -1],
      [0.5, 0.3],
    ];
    const probs = logits.map((row) => {
      const e = row.map(Math.exp);
      const s = e[0] + e[1];
      return e.map((x) => x / s);
    });
    const a = new CategoricalCrossentropy({ fromLogits: true });
    a.updateState(
      [
        [1, 0],
        [0, 1],
      ],
      logits,
    );
    const expected = -(Math.log(probs[0][0]) + Math.log(probs[1][1])) / 2;
    close(a.result().data[0], expected, 1e-5);
    const s = new CategoricalCrossentropy({ labelSmoothing: 0.2 });
    s.updateState([[1, 0]], [probs[0]]);
    close(s.result().data[0], -(0.9 * Math.log(probs[0][0]) + 0.1 * Math.log(probs[0][1])), 1e-5);
    assert.deepEqual(s.getConfig(), {
      name: "categorical_crossentropy",
      dtype: "float32",
      fromLogits: false,
      labelSmoothing: 0.2,
      axis: -1,
    });
  });
});
