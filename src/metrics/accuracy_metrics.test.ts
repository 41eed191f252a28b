import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import {
  Accuracy,
  BinaryAccuracy,
  binaryAccuracy,
  CategoricalAccuracy,
  categoricalAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  sparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from "./accuracy_metrics.js";
import type { Metric } from "./metric.js";
import { Mean } from "./reduction_metrics.js";
import { BATCHES, batches, close, fixtures } from "./test_helpers.js";

const D = fixtures.data;
const A = fixtures.accuracy;

/** Feeds the data in three uneven batches (optionally weighted) and returns the result. */
function run(m: Metric, yTrue: unknown[], yPred: unknown[], weighted: boolean): number {
  const ts = batches(yTrue);
  const ps = batches(yPred);
  const ws = batches(D.sw as number[]);
  for (let i = 0; i < ts.length; i++) m.updateState(ts[i] as never, ps[i] as never, weighted ? ws[i] : null);
  return m.result().data[0];
}

describe("accuracy metrics against NumPy (Keras's formulas), over 3 uneven batches", () => {
  const cases: [string, () => Metric, unknown[], unknown[]][] = [
    ["sparse_categorical_accuracy", () => new SparseCategoricalAccuracy(), D.labels, D.probs],
    ["categorical_accuracy", () => new CategoricalAccuracy(), D.onehot, D.probs],
    ["binary_accuracy", () => new BinaryAccuracy(), D.binary_true, D.binary_pred],
    ["binary_accuracy_0.7", () => new BinaryAccuracy({ threshold: 0.7 }), D.binary_true, D.binary_pred],
    ["top_k_2", () => new TopKCategoricalAccuracy({ k: 2 }), D.onehot, D.probs],
    ["top_k_1", () => new TopKCategoricalAccuracy({ k: 1 }), D.onehot, D.probs],
    ["top_k_2", () => new SparseTopKCategoricalAccuracy({ k: 2 }), D.labels, D.probs],
  ];
  for (const [key, make, t, p] of cases) {
    it(`${key} (${make().constructor.name}), unweighted and weighted`, () => {
      close(run(make(), t, p, false), A[key].plain);
      close(run(make(), t, p, true), A[key].weighted);
    });
  }

  it("the epoch figure is over every sample, not the mean of the batch figures", () => {
    const m = new SparseCategoricalAccuracy();
    const perBatch = new Mean();
    const ts = batches(D.labels as number[]);
    const ps = batches(D.probs as number[][]);
    for (let i = 0; i < ts.length; i++) {
      const b = new SparseCategoricalAccuracy();
      b.updateState(ts[i], ps[i]);
      perBatch.updateState(b.result());
      m.updateState(ts[i], ps[i]);
    }
    close(m.result().data[0], A.sparse_categorical_accuracy.plain);
    assert.ok(Math.abs(perBatch.result().data[0] - m.result().data[0]) > 1e-3, "batches chosen to differ");
    const [a, b] = BATCHES[1];
    assert.equal(b - a, 9);
  });
});

describe("accuracy functions", () => {
  it("accuracy: exact equality, ranks matched (Keras docstring: 0.75)", () => {
    const m = new Accuracy();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]);
    close(m.result().data[0], 0.75);
    m.resetState();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0]);
    close(m.result().data[0], 0.5);
  });

  it("binaryAccuracy: y_pred > threshold (Keras docstring: 0.75 and 0.5)", () => {
    const m = new BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    close(m.result().data[0], 0.75);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    close(m.result().data[0], 0.5);
    // 0.5 itself is negative (strictly greater).
    assert.deepEqual(Array.from((binaryAccuracy([1, 0], [0.5, 0.5]) as Tensor).data), [0, 1]);
  });

  it("categorical and sparse categorical accuracy (Keras docstrings: 0.5, 0.3)", () => {
    const yPred = [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ];
    const c = new CategoricalAccuracy();
    c.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      yPred,
    );
    close(c.result().data[0], 0.5);
    c.resetState();
    c.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      yPred,
      [0.7, 0.3],
    );
    close(c.result().data[0], 0.3);
    const s = new SparseCategoricalAccuracy();
    s.updateState([[2], [1]], yPred);
    close(s.result().data[0], 0.5);
    assert.deepEqual((sparseCategoricalAccuracy([[2], [1]], yPred) as Tensor).shape, [2]);
    assert.deepEqual(Array.from((categoricalAccuracy([[0, 0, 1]], [[0.1, 0.9, 0.8]]) as Tensor).data), [0]);
  });

  it("top-k: ties with the k-th score count as in, as ops.in_top_k (Keras docstring: 0.5)", () => {
    const m = new TopKCategoricalAccuracy({ k: 1 });
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    close(m.result().data[0], 0.5);
    assert.deepEqual(
      Array.from((topKCategoricalAccuracy([[1, 0, 0]], [[0.5, 0.5, 0.1]], { k: 1 }) as Tensor).data),
      [1],
    );
    const s = new SparseTopKCategoricalAccuracy({ k: 1 });
    s.updateState(
      [2, 1],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    close(s.result().data[0], 0.5);
  });

  it("sparse top-k from sorted ids: any of the first k ids equals the label", () => {
    const m = new SparseTopKCategoricalAccuracy({ k: 2, fromSortedIds: true });
    m.updateState(
      [2, 1, 0],
      [
        [0, 2, 1],
        [2, 0, 1],
        [1, 2, 0],
      ],
    );
    close(m.result().data[0], 1 / 3);
    assert.equal(m.getConfig().fromSortedIds, true);
  });

  it("work on symbolic tensors (batch axis unknown)", () => {
    const p = new SymbolicTensor([null, 5], "float32");
    const out = sparseCategoricalAccuracy(new SymbolicTensor([null, 1], "float32"), p);
    assert.ok(out instanceof SymbolicTensor);
    assert.deepEqual(out.shape, [null]);
    const tk = topKCategoricalAccuracy(new SymbolicTensor([null, 5], "float32"), p, { k: 2 });
    assert.deepEqual(tk.shape, [null]);
    assert.deepEqual(
      binaryAccuracy(new SymbolicTensor([null, 1], "float32"), new SymbolicTensor([null, 1], "float32")).shape,
      [null, 1],
    );
  });

  it("getConfig as Keras (threshold, k) and defaults", () => {
    assert.deepEqual(new BinaryAccuracy({ threshold: 0.3 }).getConfig(), {
      name: "binary_accuracy",
      dtype: "float32",
      threshold: 0.3,
    });
    assert.deepEqual(new TopKCategoricalAccuracy().getConfig(), {
      name: "top_k_categorical_accuracy",
      dtype: "float32",
      k: 5,
    });
    assert.equal(new SparseTopKCategoricalAccuracy().k, 5);
  });
});
