import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { GradientTape } from "../../autodiff/tape.js";
import { castTensor } from "../../backend/convert.js";
import { assertClose, randomTensor } from "../../testing/gradcheck.js";
import type { Layer } from "../layer.js";
import { checkLayerGrad, loadCases, runCase } from "../convolutional/layer_test_helpers.js";
import { BatchNormalization } from "./batch_normalization.js";
import { GroupNormalization } from "./group_normalization.js";
import { LayerNormalization } from "./layer_normalization.js";
import { normalizationPath } from "./path.js";
import { UnitNormalization } from "./unit_normalization.js";

const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");
const t = ops.convertToTensor;

describe("normalization layers match Keras 3 (fixtures written by Keras's own layers, float64)", () => {
  for (const c of loadCases(new URL("./normalization.fixtures.json", import.meta.url))) {
    it(`${c.name}: ${c.class}(${JSON.stringify(c.kwargs)})${c.training === undefined ? "" : ` training=${c.training}`}`, () =>
      runCase(c));
  }
});

describe("BatchNormalization: training and inference", () => {
  // 4 samples, 2 features: batch mean [2.5, 10], population variance [1.25, 62.5].
  const x = t(
    [
      [1, 0],
      [2, 5],
      [3, 15],
      [4, 20],
    ],
    "float64",
  );
  const make = (args = {}) => {
    const bn = new BatchNormalization({ dtype: "float64", ...args });
    bn(x);
    bn.setWeights([t([2, 0.5]), t([1, -1]), t([0.5, 1]), t([4, 9])]);
    return bn;
  };

  it("weights gamma, beta (trainable), moving_mean, moving_variance (non-trainable), in that order", () => {
    const bn = new BatchNormalization();
    bn(sym([null, 3, 6]));
    assert.deepEqual(
      bn.weights.map((w) => [w.path, w.shape, w.trainable]),
      [
        [`${bn.name}/gamma`, [6], true],
        [`${bn.name}/beta`, [6], true],
        [`${bn.name}/moving_mean`, [6], false],
        [`${bn.name}/moving_variance`, [6], false],
      ],
    );
    assert.deepEqual(
      bn.getWeights().map((w) => Array.from(w.data)),
      [
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ],
    );
    assert.deepEqual(
      bn.trainableWeights.map((w) => w.name),
      ["gamma", "beta"],
    );
    const plain = new BatchNormalization({ center: false, scale: false });
    plain(sym([null, 2]));
    assert.deepEqual(
      plain.weights.map((w) => w.name),
      ["moving_mean", "moving_variance"],
    );
  });

  it("training uses the batch moments and moves the moving statistics by momentum", () => {
    const bn = make();
    const y = bn(x, { training: true }) as Tensor;
    const mean = [2.5, 10];
    const variance = [1.25, 62.5];
    const gamma = [2, 0.5];
    const beta = [1, -1];
    const want = (x.toArray() as number[][]).map((row) =>
      row.map((v, j) => ((v - mean[j]) / Math.sqrt(variance[j] + 1e-3)) * gamma[j] + beta[j]),
    );
    assertClose(y, want, { rtol: 1e-12 });
    assertClose(bn.movingMean.peek(), [0.5 * 0.99 + 2.5 * 0.01, 1 * 0.99 + 10 * 0.01], { rtol: 1e-12 });
    assertClose(bn.movingVariance.peek(), [4 * 0.99 + 1.25 * 0.01, 9 * 0.99 + 62.5 * 0.01], { rtol: 1e-12 });
  });

  it("inference (the default) uses the moving statistics and leaves them unchanged", () => {
    const bn = make();
    const y = bn(x) as Tensor;
    const want = (x.toArray() as number[][]).map((row) =>
      row.map((v, j) => ((v - [0.5, 1][j]) / Math.sqrt([4, 9][j] + 1e-3)) * [2, 0.5][j] + [1, -1][j]),
    );
    assertClose(y, want, { rtol: 1e-12 });
    assert.deepEqual(Array.from(bn.movingMean.peek().data), [0.5, 1]);
    // After a training step, inference uses the updated statistics.
    bn(x, { training: true });
    const m = Array.from(bn.movingMean.peek().data);
    const v = Array.from(bn.movingVariance.peek().data);
    const after = (x.toArray() as number[][]).map((row) =>
      row.map((xv, j) => ((xv - m[j]) / Math.sqrt(v[j] + 1e-3)) * [2, 0.5][j] + [1, -1][j]),
    );
    assertClose(bn(x, { training: false }) as Tensor, after, { rtol: 1e-12 });
  });

  it("a frozen layer (trainable = false) runs in inference mode even with training = true, as in Keras 3", () => {
    const bn = make();
    bn.trainable = false;
    const y = bn(x, { training: true }) as Tensor;
    assertClose(y, bn(x, { training: false }) as Tensor, { rtol: 0, atol: 0 });
    assert.deepEqual(Array.from(bn.movingMean.peek().data), [0.5, 1]);
    assert.deepEqual(Array.from(bn.movingVariance.peek().data), [4, 9]);
    assert.equal(bn.trainableWeights.length, 0);
    assert.equal(bn.nonTrainableWeights.length, 4);
  });

  it("float32 layers update float32 moving statistics", () => {
    const bn = new BatchNormalization({ momentum: 0.5 });
    const y = bn(t([[1], [3]]), { training: true }) as Tensor;
    assert.equal(y.dtype, "float32");
    assert.equal(bn.movingMean.peek().dtype, "float32");
    assertClose(bn.movingMean.peek(), [1], { rtol: 1e-7 });
    assertClose(bn.movingVariance.peek(), [1], { rtol: 1e-7 });
  });

  it("gradients in training (through the batch moments) and in inference", () => {
    checkLayerGrad(new BatchNormalization({ dtype: "float64" }), randomTensor([4, 3], 1), { training: true });
    checkLayerGrad(new BatchNormalization({ dtype: "float64", axis: 1 }), randomTensor([2, 3, 2], 2), {
      training: true,
    });
    checkLayerGrad(new BatchNormalization({ dtype: "float64" }), randomTensor([3, 2], 3), { training: false });
  });

  it("getConfig gives Keras's keys", () => {
    const c = new BatchNormalization({ axis: 1, momentum: 0.9 }).getConfig();
    assert.deepEqual(Object.keys(c), [
      "name",
      "trainable",
      "dtype",
      "axis",
      "momentum",
      "epsilon",
      "center",
      "scale",
      "betaInitializer",
      "gammaInitializer",
      "movingMeanInitializer",
      "movingVarianceInitializer",
      "betaRegularizer",
      "gammaRegularizer",
      "betaConstraint",
      "gammaConstraint",
      "synchronized",
    ]);
    assert.deepEqual([c.axis, c.momentum, c.epsilon, c.center, c.scale], [1, 0.9, 1e-3, true, true]);
    assert.deepEqual(c.movingVarianceInitializer, { className: "Ones", config: {} });
  });

  it("errors name the layer", () => {
    const bn = new BatchNormalization({ name: "bn" });
    bn(ops.ones([2, 3]));
    assert.throws(
      () => bn(ops.ones([2, 4])),
      /Layer 'bn' \(BatchNormalization\).*axis -1 of the input shape to have size 3/,
    );
    assert.throws(() => bn(ops.ones([2, 3, 3])), /Layer 'bn' \(BatchNormalization\).*expected ndim=2, found ndim=3/);
    assert.throws(
      () => new BatchNormalization({ axis: 3 })(ops.ones([2, 3])),
      /\(BatchNormalization\): axis 3 is out of bounds for inputs of rank 2/,
    );
    assert.throws(
      () => new BatchNormalization()(sym([null, null])),
      /\(BatchNormalization\): axis -1 of the input must be known/,
    );
  });
});

describe("LayerNormalization, GroupNormalization, UnitNormalization", () => {
  it("LayerNormalization normalizes each sample over the last axis (hand values)", () => {
    const ln = new LayerNormalization({ dtype: "float64", epsilon: 0 });
    const y = ln(t([[1, 2, 3, 6]], "float64")) as Tensor;
    // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5.
    const s = Math.sqrt(3.5);
    assertClose(y, [[-2 / s, -1 / s, 0, 3 / s]], { rtol: 1e-12 });
    assert.deepEqual(
      ln.weights.map((w) => [w.name, w.shape]),
      [
        ["gamma", [4]],
        ["beta", [4]],
      ],
    );
  });

  it("GroupNormalization normalizes groups of channels per sample (hand values)", () => {
    const gn = new GroupNormalization({ groups: 2, dtype: "float64", epsilon: 0 });
    // One sample, 2 positions, 4 channels: group 0 = channels 0,1; group 1 = channels 2,3.
    const y = gn(
      t(
        [
          [
            [1, 3, 10, 10],
            [5, 7, 20, 40],
          ],
        ],
        "float64",
      ),
    ) as Tensor;
    // group 0: {1,3,5,7} mean 4 var 5; group 1: {10,10,20,40} mean 20 var 150.
    const a = Math.sqrt(5);
    const b = Math.sqrt(150);
    assertClose(
      y,
      [
        [
          [-3 / a, -1 / a, -10 / b, -10 / b],
          [1 / a, 3 / a, 0, 20 / b],
        ],
      ],
      { rtol: 1e-12 },
    );
  });

  it("UnitNormalization scales to unit L2 norm", () => {
    const y = new UnitNormalization({ dtype: "float64" })(
      t(
        [
          [3, 4],
          [0, 0],
        ],
        "float64",
      ),
    ) as Tensor;
    assertClose(
      y,
      [
        [0.6, 0.8],
        [0, 0],
      ],
      { rtol: 1e-12 },
    );
  });

  it("output shapes with null batch (and null axes outside the normalized ones)", () => {
    const cases: [() => (x: SymbolicTensor) => SymbolicTensor, (number | null)[]][] = [
      [() => new BatchNormalization(), [null, 5, 3]],
      [() => new BatchNormalization({ axis: 1 }), [null, 3, null]],
      [() => new LayerNormalization(), [null, null, 4]],
      [() => new LayerNormalization({ axis: [1, 2] }), [null, 2, 4]],
      [() => new GroupNormalization({ groups: 2 }), [null, null, null, 4]],
      [() => new UnitNormalization({ axis: [1, 2] }), [null, 2, 3]],
    ];
    for (const [make, shape] of cases) {
      const y = make()(sym(shape));
      assert.ok(y instanceof SymbolicTensor);
      assert.deepEqual(y.shape, shape);
    }
  });

  it("gradients through gamma and beta", () => {
    checkLayerGrad(new LayerNormalization({ dtype: "float64" }), randomTensor([2, 5], 4));
    checkLayerGrad(new LayerNormalization({ dtype: "float64", axis: [1, 2] }), randomTensor([2, 2, 3], 5));
    checkLayerGrad(new LayerNormalization({ dtype: "float64", rmsScaling: true }), randomTensor([2, 4], 6));
    checkLayerGrad(new GroupNormalization({ dtype: "float64", groups: 2 }), randomTensor([2, 3, 4], 7));
    checkLayerGrad(new GroupNormalization({ dtype: "float64", groups: 3, axis: 1 }), randomTensor([1, 6, 2], 8));
    checkLayerGrad(new UnitNormalization({ dtype: "float64" }), randomTensor([2, 3], 9));
  });

  it("getConfig gives Keras's keys (LayerNormalization's axis becomes a list once built, as Keras saves it)", () => {
    const ln = new LayerNormalization();
    assert.deepEqual(Object.keys(ln.getConfig()), [
      "name",
      "trainable",
      "dtype",
      "axis",
      "epsilon",
      "center",
      "scale",
      "rmsScaling",
      "betaInitializer",
      "gammaInitializer",
      "betaRegularizer",
      "gammaRegularizer",
      "betaConstraint",
      "gammaConstraint",
    ]);
    assert.equal(ln.getConfig().axis, -1);
    ln(sym([null, 3]));
    assert.deepEqual(ln.getConfig().axis, [-1]);
    const g = new GroupNormalization({ groups: 4 }).getConfig();
    assert.deepEqual([g.groups, g.axis, g.epsilon], [4, -1, 1e-3]);
    assert.ok("gammaInitializer" in g && "betaConstraint" in g);
    assert.deepEqual(new UnitNormalization({ axis: [1, 2] }).getConfig().axis, [1, 2]);
  });

  it("errors name the layer", () => {
    assert.throws(
      () => new GroupNormalization({ groups: 3 })(ops.ones([1, 4])),
      /\(GroupNormalization\).*channels \(4\) must be a multiple of the number of groups \(3\)/,
    );
    assert.throws(
      () => new GroupNormalization()(ops.ones([1, 4])),
      /\(GroupNormalization\): the number of groups \(32\) cannot be more than the number of channels \(4\)/,
    );
    assert.throws(
      () => new GroupNormalization({ groups: 0 }),
      /\(GroupNormalization\): groups must be a positive integer/,
    );
    assert.throws(
      () => new LayerNormalization({ axis: [1, 1] })(ops.ones([2, 3])),
      /\(LayerNormalization\): duplicate axes/,
    );
    assert.throws(
      () => new LayerNormalization({ axis: 2 })(ops.ones([2, 3])),
      /\(LayerNormalization\): axis 2 is out of bounds/,
    );
    assert.throws(
      () => new UnitNormalization({ axis: -3 })(sym([null, 3])),
      /\(UnitNormalization\): axis -3 is out of bounds/,
    );
    const gn = new GroupNormalization({ groups: 2, name: "gn" });
    gn(ops.ones([1, 4]));
    assert.throws(
      () => gn(ops.ones([1, 6])),
      /Layer 'gn' \(GroupNormalization\).*axis -1 of the input shape to have size 4/,
    );
  });
});

describe("fused and composed paths give the same outputs, gradients and moving statistics", () => {
  /** Output, gradients of a weighted sum w.r.t. the input and the trainable weights, and the weights after the call. */
  function run(make: (dtype: string) => Layer, x: Tensor, training: boolean, fused: boolean): Tensor[] {
    const saved = normalizationPath.fused;
    normalizationPath.fused = fused;
    try {
      const layer = make(x.dtype);
      layer(x); // builds (inference: the moving statistics stay)
      // Non-trivial gamma, beta and moving statistics.
      layer.setWeights(layer.getWeights().map((w, i) => ops.add(randomTensor(w.shape, 7 + i, 0.5, 1.5), 0) as Tensor));
      const tape = new GradientTape({ persistent: true });
      tape.watch(x);
      const y = tape.record(() => layer(x, { training }) as Tensor);
      const w = castTensor(randomTensor(y.shape, 3), y.dtype);
      const loss = tape.record(() => ops.sum(ops.multiply(y, w)));
      const grads = tape.gradient(loss, [x, ...layer.trainableWeights]) as Tensor[];
      return [y, ...grads, ...layer.getWeights()];
    } finally {
      normalizationPath.fused = saved;
    }
  }

  const cases: [string, (dtype: string) => Layer, number[], boolean][] = [
    ["BatchNormalization channels-last, training", (dtype) => new BatchNormalization({ dtype }), [6, 5, 4, 3], true],
    ["BatchNormalization axis 1, training", (dtype) => new BatchNormalization({ dtype, axis: 1 }), [4, 3, 5, 2], true],
    [
      "BatchNormalization without gamma and beta",
      (dtype) => new BatchNormalization({ dtype, center: false, scale: false }),
      [9, 7],
      true,
    ],
    ["BatchNormalization, inference", (dtype) => new BatchNormalization({ dtype, axis: 1 }), [4, 3, 5], false],
    ["LayerNormalization last axis", (dtype) => new LayerNormalization({ dtype }), [4, 3, 17], false],
    ["LayerNormalization axes [1, 2]", (dtype) => new LayerNormalization({ dtype, axis: [1, 2] }), [3, 4, 5], false],
    [
      "LayerNormalization middle axis, no beta",
      (dtype) => new LayerNormalization({ dtype, axis: 1, center: false }),
      [3, 4, 5],
      false,
    ],
    [
      "LayerNormalization axes [0, 2] (composed either way)",
      (dtype) => new LayerNormalization({ dtype, axis: [0, 2] }),
      [3, 4, 5],
      false,
    ],
  ];
  for (const [name, make, shape, training] of cases) {
    for (const dtype of ["float64", "float32"] as const) {
      it(`${name}, ${dtype}`, () => {
        const x = castTensor(randomTensor(shape, 11, -2, 3), dtype);
        const fused = run(make, x, training, true);
        const composed = run(make, x, training, false);
        assert.equal(fused.length, composed.length);
        const tol = dtype === "float64" ? { rtol: 1e-11, atol: 1e-12 } : { rtol: 2e-5, atol: 2e-5 };
        fused.forEach((t, i) => {
          assert.equal(t.dtype, dtype);
          assertClose(t, composed[i], tol);
        });
      });
    }
  }
});
