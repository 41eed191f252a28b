import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { softmax } from "../ops/nn/activations.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as losses from "./index.js";
import type { Loss, Reduction } from "./loss.js";

interface Reduced {
  plain: number | number[];
  weighted: number | number[];
}
interface Case {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  yTrue: number[][];
  yPred: number[][];
  perSample: number[];
  reduced: Record<string, Reduced>;
}
interface Fixtures {
  sampleWeight: number[];
  cases: Case[];
  axis: {
    yTrue: number[][][];
    yPred: number[][][];
    cceLogitsAxis1: number[][];
    cosineAxis1: number[][];
    bceLogitsAxis1: number[][];
  };
  ignoreClass: {
    yTrue: number[][];
    yPred: number[][][];
    perSample: number[][];
    valid: number[][];
    sampleWeight: number[];
    reduced: Record<string, Reduced>;
  };
}

const fx: Fixtures = JSON.parse(readFileSync(new URL("./losses.fixtures.json", import.meta.url), "utf8"));
const f64 = (a: unknown) => toTensor(a as number[], "float64");
const f32 = (a: unknown) => toTensor(a as number[], "float32");

/** The class wrapping each function, by the function's name. */
const CLASS_OF: Record<string, new (args?: Record<string, unknown>) => Loss> = {
  meanSquaredError: losses.MeanSquaredError,
  meanAbsoluteError: losses.MeanAbsoluteError,
  meanAbsolutePercentageError: losses.MeanAbsolutePercentageError,
  meanSquaredLogarithmicError: losses.MeanSquaredLogarithmicError,
  cosineSimilarity: losses.CosineSimilarity,
  huber: losses.Huber,
  logCosh: losses.LogCosh,
  klDivergence: losses.KLDivergence,
  poisson: losses.Poisson,
  hinge: losses.Hinge,
  squaredHinge: losses.SquaredHinge,
  categoricalHinge: losses.CategoricalHinge,
  binaryCrossentropy: losses.BinaryCrossentropy,
  binaryFocalCrossentropy: losses.BinaryFocalCrossentropy,
  categoricalCrossentropy: losses.CategoricalCrossentropy,
  sparseCategoricalCrossentropy: losses.SparseCategoricalCrossentropy,
};
const REDUCTIONS: Exclude<Reduction, null>[] = [
  "sum_over_batch_size",
  "sum",
  "mean",
  "mean_with_sample_weight",
  "none",
];

// biome-ignore lint/suspicious/noExplicitAny: the functions take their own options.
const fnOf = (name: string) => (losses as any)[name] as (t: Tensor, p: Tensor, o?: unknown) => Tensor;

describe("loss functions and classes against NumPy (scripts/fixtures/losses.py)", () => {
  for (const c of fx.cases) {
    it(`${c.name}: per-sample values (function form)`, () => {
      const out = fnOf(c.fn)(f64(c.yTrue), f64(c.yPred), c.options);
      assertClose(out, c.perSample, { rtol: 1e-10, atol: 1e-12 });
    });
    it(`${c.name}: ${CLASS_OF[c.fn].name} with every reduction, with and without sample weights`, () => {
      for (const reduction of REDUCTIONS) {
        const loss = new CLASS_OF[c.fn]({ ...c.options, reduction, dtype: "float64" });
        const r = c.reduced[reduction];
        assertClose(loss(c.yTrue, c.yPred), r.plain, { rtol: 1e-10, atol: 1e-12 });
        assertClose(loss(c.yTrue, c.yPred, fx.sampleWeight), r.weighted, { rtol: 1e-10, atol: 1e-12 });
      }
    });
  }

  it("float32 (the default dtype) agrees with the float64 references", () => {
    for (const c of fx.cases) {
      const loss = new CLASS_OF[c.fn]({ ...c.options });
      const out = loss(f32(c.yTrue), f32(c.yPred), fx.sampleWeight);
      assert.equal(out.dtype, "float32", c.name);
      assertClose(out, c.reduced.sum_over_batch_size.weighted, { rtol: 2e-4, atol: 2e-5 });
    }
  });

  it("axis options: categoricalCrossentropy, cosineSimilarity, binaryCrossentropy along axis 1", () => {
    const a = fx.axis;
    assertClose(
      losses.categoricalCrossentropy(f64(a.yTrue), f64(a.yPred), { fromLogits: true, axis: 1 }),
      a.cceLogitsAxis1,
      {
        rtol: 1e-10,
      },
    );
    assertClose(losses.cosineSimilarity(f64(a.yTrue), f64(a.yPred), { axis: 1 }), a.cosineAxis1, { rtol: 1e-10 });
    assertClose(
      losses.binaryCrossentropy(f64(a.yTrue), f64(a.yPred), { fromLogits: true, axis: 1 }),
      a.bceLogitsAxis1,
      {
        rtol: 1e-10,
      },
    );
    const cce = new losses.CategoricalCrossentropy({ fromLogits: true, axis: 1, reduction: "none", dtype: "float64" });
    assertClose(cce(a.yTrue, a.yPred), a.cceLogitsAxis1, { rtol: 1e-10 });
  });

  it("ignoreClass: ignored entries give 0 and are left out of the mean (also with per-sample weights)", () => {
    const c = fx.ignoreClass;
    const values = losses.sparseCategoricalCrossentropy(f64(c.yTrue), f64(c.yPred), {
      fromLogits: true,
      ignoreClass: 255,
    });
    assertClose(values, c.perSample, { rtol: 1e-10 });
    for (const reduction of REDUCTIONS) {
      const loss = new losses.SparseCategoricalCrossentropy({
        fromLogits: true,
        ignoreClass: 255,
        reduction,
        dtype: "float64",
      });
      assertClose(loss(c.yTrue, c.yPred), c.reduced[reduction].plain, { rtol: 1e-10 });
      assertClose(loss(c.yTrue, c.yPred, c.sampleWeight), c.reduced[reduction].weighted, { rtol: 1e-10 });
    }
    // By hand: the default reduction is the mean over the 7 kept entries.
    const kept = c.perSample.flat().filter((_, i) => c.valid.flat()[i] === 1);
    assert.equal(kept.length, 7);
    const loss = new losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255, dtype: "float64" });
    assertClose(loss(c.yTrue, c.yPred), kept.reduce((s, v) => s + v, 0) / 7, { rtol: 1e-12 });
  });

  it("sparse labels as [B, 1] and as int32 give the same values as [B] floats", () => {
    const p = softmax(randomTensor([5, 4], 3));
    const labels = [3, 0, 1, 2, 1];
    const a = losses.sparseCategoricalCrossentropy(f64(labels), p);
    const b = losses.sparseCategoricalCrossentropy(f64(labels.map((l) => [l])), p);
    const c = new losses.SparseCategoricalCrossentropy({ reduction: "none", dtype: "float64" })(
      toTensor(labels, "int32"),
      p,
    );
    assertClose(b, a, { rtol: 0, atol: 0 });
    assertClose(c, a, { rtol: 0, atol: 0 });
    assertClose(
      a,
      labels.map((l, i) => -Math.log(p.data[i * 4 + l])),
      { rtol: 1e-12 },
    );
  });

  it("mse with y_true [B] and y_pred [B, 1] matches ranks as Keras does", () => {
    const out = losses.meanSquaredError(f64([1, 2, 3]), f64([[1.5], [2], [1]]));
    assertClose(out, [0.25, 0, 4]);
    assertClose(new losses.MeanSquaredError()([1, 2, 3], [[1.5], [2], [1]]), (0.25 + 4) / 3);
  });
});

describe("Keras's documented examples (keras/src/losses/losses.py docstrings)", () => {
  const yTrue = [
    [0, 1, 0],
    [0, 0, 1],
  ];
  const yPred = [
    [0.05, 0.95, 0],
    [0.1, 0.8, 0.1],
  ];
  it("CategoricalCrossentropy: 1.177, weighted 0.814, sum 2.354, none [0.0513, 2.303]", () => {
    assertClose(new losses.CategoricalCrossentropy()(yTrue, yPred), 1.1769392, { rtol: 1e-5 });
    assertClose(new losses.CategoricalCrossentropy()(yTrue, yPred, [0.3, 0.7]), 0.8135988, { rtol: 1e-5 });
    assertClose(new losses.CategoricalCrossentropy({ reduction: "sum" })(yTrue, yPred), 2.3538785, { rtol: 1e-5 });
    assertClose(
      new losses.CategoricalCrossentropy({ reduction: null })(yTrue, yPred),
      [-Math.log(0.95), -Math.log(0.1)],
      {
        rtol: 1e-5,
      },
    );
  });
  it("SparseCategoricalCrossentropy with labels [1, 2]: 1.177 and weighted 0.814", () => {
    assertClose(new losses.SparseCategoricalCrossentropy()([1, 2], yPred), 1.1769392, { rtol: 1e-5 });
    assertClose(new losses.SparseCategoricalCrossentropy()([1, 2], yPred, [0.3, 0.7]), 0.8135988, { rtol: 1e-5 });
  });
  it("BinaryCrossentropy(fromLogits): 0.8654, weighted 0.243, sum 1.730, none [0.235, 1.496]", () => {
    const t = [
      [0, 1],
      [0, 0],
    ];
    const p = [
      [-18.6, 0.51],
      [2.94, -12.8],
    ];
    const bce = new losses.BinaryCrossentropy({ fromLogits: true });
    assertClose(bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.8654, { atol: 1e-4 });
    assertClose(bce(t, p), 0.8654, { atol: 1e-4 });
    assertClose(bce(t, p, [0.8, 0.2]), 0.243, { atol: 1e-3 });
    assertClose(new losses.BinaryCrossentropy({ fromLogits: true, reduction: "sum" })(t, p), 1.73, { atol: 1e-3 });
    assertClose(new losses.BinaryCrossentropy({ fromLogits: true, reduction: null })(t, p), [0.235, 1.496], {
      atol: 1e-3,
    });
  });
  it("BinaryFocalCrossentropy(fromLogits): 0.691, balanced 0.51; gamma 3: 0.647, balanced 0.482", () => {
    const t = [0, 1, 0, 0];
    const p = [-18.6, 0.51, 2.94, -12.8];
    assertClose(new losses.BinaryFocalCrossentropy({ gamma: 2, fromLogits: true })(t, p), 0.691, { atol: 1e-3 });
    const bal = new losses.BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 2, fromLogits: true });
    assertClose(bal(t, p), 0.51, { atol: 1e-3 });
    const t2 = [
      [0, 1],
      [0, 0],
    ];
    const p2 = [
      [-18.6, 0.51],
      [2.94, -12.8],
    ];
    assertClose(new losses.BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(t2, p2), 0.647, { atol: 1e-3 });
    const bal3 = new losses.BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true });
    assertClose(bal3(t2, p2), 0.482, { atol: 1e-3 });
    assertClose(new losses.BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(t2, p2, [0.8, 0.2]), 0.133, {
      atol: 1e-3,
    });
    assertClose(new losses.BinaryFocalCrossentropy({ gamma: 4, fromLogits: true, reduction: "sum" })(t2, p2), 1.222, {
      atol: 1e-3,
    });
    assertClose(
      new losses.BinaryFocalCrossentropy({ gamma: 5, fromLogits: true, reduction: null })(t2, p2),
      [0.0017, 1.1561],
      {
        atol: 1e-4,
      },
    );
  });
  it("binaryCrossentropy [0.916, 0.714]; huber 0.155; logCosh 0.108; cosineSimilarity [-0, -1, 1]", () => {
    const t = [
      [0, 1],
      [0, 0],
    ];
    const p = [
      [0.6, 0.4],
      [0.4, 0.6],
    ];
    assertClose(losses.binaryCrossentropy(f32(t), f32(p)), [0.9162905, 0.7135582], { rtol: 1e-5 });
    assertClose(new losses.Huber()(t, p), 0.155, { atol: 1e-3 });
    assertClose(
      new losses.LogCosh()(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ),
      0.108,
      { atol: 1e-3 },
    );
    const cs = losses.cosineSimilarity(
      f32([
        [0, 1],
        [1, 1],
        [1, 1],
      ]),
      f32([
        [1, 0],
        [1, 1],
        [-1, -1],
      ]),
    );
    assertClose(cs, [0, -1, 1], { atol: 1e-6 });
  });
});

describe("loss functions on symbolic tensors", () => {
  it("keep the batch axis unknown and reduce to a scalar", () => {
    const t = new SymbolicTensor([null, 3], "float32");
    const p = new SymbolicTensor([null, 3], "float32");
    for (const name of ["meanSquaredError", "hinge", "categoricalCrossentropy", "klDivergence", "logCosh"]) {
      // biome-ignore lint/suspicious/noExplicitAny: looked up by name.
      const out = (losses as any)[name](t, p) as SymbolicTensor;
      assert.ok(out instanceof SymbolicTensor, name);
      assert.deepEqual(out.shape, [null], name);
    }
    const reduced = new losses.CategoricalCrossentropy({ labelSmoothing: 0.1 })(t, p);
    assert.ok(reduced instanceof SymbolicTensor);
    assert.deepEqual(reduced.shape, []);
    const sparse = new losses.SparseCategoricalCrossentropy({ ignoreClass: 0 })(new SymbolicTensor([null], "int32"), p);
    assert.deepEqual(sparse.shape, []);
  });
});

describe("gradients (checkGrad, float64)", () => {
  const p = randomTensor([3, 4], 11);
  const t = randomTensor([3, 4], 12);
  const probs = softmax(randomTensor([3, 4], 13, -2, 2));
  const onehot = f64([
    [0, 1, 0, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 1],
  ]);
  const sw = f64([0.5, 1, 2]);
  const mk = (L: new (a?: Record<string, unknown>) => Loss, o: Record<string, unknown> = {}) =>
    new L({ dtype: "float64", ...o });

  it("MeanSquaredError, Huber and LogCosh with sample weights (w.r.t. y_pred and y_true)", () => {
    checkGrad((a, b) => mk(losses.MeanSquaredError)(a, b, sw), [t, p]);
    checkGrad((a, b) => mk(losses.Huber, { delta: 0.3 })(a, b, sw), [t, p]);
    checkGrad((a, b) => mk(losses.LogCosh, { reduction: "sum" })(a, b), [t, p]);
  });
  it("CategoricalCrossentropy from logits with label smoothing, and from probabilities", () => {
    checkGrad((x) => mk(losses.CategoricalCrossentropy, { fromLogits: true, labelSmoothing: 0.2 })(onehot, x, sw), [p]);
    checkGrad((x) => mk(losses.CategoricalCrossentropy)(onehot, x), [probs]);
  });
  it("SparseCategoricalCrossentropy with ignoreClass, BinaryFocalCrossentropy, CosineSimilarity, KLDivergence", () => {
    checkGrad((x) => mk(losses.SparseCategoricalCrossentropy, { fromLogits: true, ignoreClass: 2 })([1, 2, 3], x), [p]);
    checkGrad((x) => mk(losses.SparseCategoricalCrossentropy, { ignoreClass: 2 })([1, 2, 3], x), [probs]);
    const bin = f64([
      [0, 1, 1, 0],
      [1, 0, 0, 1],
      [1, 1, 0, 0],
    ]);
    checkGrad(
      (x) => mk(losses.BinaryFocalCrossentropy, { fromLogits: true, applyClassBalancing: true, gamma: 2.5 })(bin, x),
      [p],
    );
    checkGrad((a, b) => mk(losses.CosineSimilarity)(a, b), [t, p]);
    checkGrad((x) => mk(losses.KLDivergence)(probs, x), [softmax(p)]);
  });
});

describe("bad input", () => {
  it("labels whose shape does not fit the loss name the loss and both shapes", () => {
    const cce = new losses.CategoricalCrossentropy();
    assert.throws(
      () => cce(toTensor(new Array(8).fill([1, 0, 0])), toTensor(new Array(8).fill([0.25, 0.25, 0.25, 0.25]))),
      /CategoricalCrossentropy.*y_true \[8, 3\] and y_pred \[8, 4\]/,
    );
    assert.throws(
      () =>
        new losses.MeanSquaredError()(
          [[1], [2]],
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ),
      /Loss 'mean_squared_error' \(MeanSquaredError\).*losses\.meanSquaredError: y_true and y_pred must have the same shape, received y_true \[2, 1\] and y_pred \[2, 3\]/,
    );
    assert.throws(
      () => new losses.SparseCategoricalCrossentropy()([[0, 1]], [[0.5, 0.5]]),
      /SparseCategoricalCrossentropy.*y_true \[1, 2\] and y_pred \[1, 2\]/,
    );
    assert.throws(
      () => new losses.SparseCategoricalCrossentropy()([3], [[0.5, 0.5]]),
      /RangeError|integers in \[0, 2\)/,
    );
  });
  it("labelSmoothing outside [0, 1] and unknown reductions are refused", () => {
    assert.throws(
      () => new losses.CategoricalCrossentropy({ labelSmoothing: 1.5 }),
      /labelSmoothing must be in \[0, 1\], received 1.5/,
    );
    assert.throws(
      () => new losses.MeanSquaredError({ reduction: "average" as Reduction }),
      /MeanSquaredError: invalid reduction "average"/,
    );
  });
});
