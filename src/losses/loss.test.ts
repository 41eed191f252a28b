import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { grad } from "../autodiff/grad.js";
import { toTensor } from "../backend/convert.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Input } from "../layers/core/input_layer.js";
import { setMask } from "../layers/mask.js";
import { Model } from "../models/model.js";
import { abs, add, clip, mean, multiply, square, subtract } from "../ops/index.js";
import type { AnyTensor } from "../ops/types.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as losses from "./index.js";
import {
  Loss,
  type ReduceWeightedOptions,
  type Reduction,
  reduceWeightedValues,
  squeezeOrExpandToSameRank,
} from "./loss.js";

interface Reduced {
  plain: number | number[][];
  weighted: number | number[][];
}
interface Fixtures {
  sampleWeight: number[];
  cases: { name: string; yTrue: number[][]; yPred: number[][]; perSample: number[] }[];
  mask: {
    yTrue: number[][][];
    yPred: number[][][];
    mask: number[][];
    sampleWeight: number[];
    perSample: number[][];
    reduced: Record<string, Reduced>;
  };
  sampleWeightShapes: {
    swColumn: number[][];
    swScalar: number;
    column: Record<string, number | number[]>;
    scalar: Record<string, number | number[]>;
  };
}

const fx: Fixtures = JSON.parse(readFileSync(new URL("./losses.fixtures.json", import.meta.url), "utf8"));
const f64 = (a: unknown) => toTensor(a as number[], "float64");
const reduce = (v: Tensor, o: ReduceWeightedOptions = {}) => reduceWeightedValues(v, o) as Tensor;
const REDUCTIONS: Exclude<Reduction, null>[] = [
  "sum_over_batch_size",
  "sum",
  "mean",
  "mean_with_sample_weight",
  "none",
];

/** A custom loss as users write one: per-sample mean absolute error over the feature axis. */
class MyMae extends Loss {
  call(yTrue: AnyTensor, yPred: AnyTensor): AnyTensor {
    return mean(abs(subtract(yPred, yTrue)), -1);
  }
}

describe("Loss: callable instances and subclasses", () => {
  it("an instance is a function and a Loss; loss(a, b) equals loss.apply(a, b)", () => {
    const loss = new MyMae({ dtype: "float64" });
    assert.equal(typeof loss, "function");
    assert.ok(loss instanceof Loss);
    assert.ok(loss instanceof MyMae);
    assert.equal(loss.name, "my_mae");
    assert.equal(loss.reduction, "sum_over_batch_size");
    assert.equal(loss.dtype, "float64");
    const t = [
      [1, 2],
      [3, 4],
    ];
    const p = [
      [1.5, 2],
      [1, 4.5],
    ];
    // per sample: 0.25 and 1.25; mean 0.75.
    assertClose(loss(t, p), 0.75, { rtol: 1e-12 });
    assertClose(loss.apply(t, p), 0.75, { rtol: 1e-12 });
    assertClose(loss(t, p, [2, 0]), 0.25, { rtol: 1e-12 });
    assert.equal(new MyMae({ name: "custom" }).name, "custom");
    assert.equal(new MyMae().describe().includes("(MyMae)"), true);
  });

  it("a subclass keeps a non-trainable Variable in a field and assigns it in call (BEGAN's k)", () => {
    // k_{t+1} = clip(k_t + lambdaK * (gamma * L_real - L_fake), 0, 1); the loss is L_real - k_t * L_fake.
    class DiscriminatorLoss extends Loss {
      k = new Variable(0, { trainable: false, name: "k" });
      gamma = 0.5;
      lambdaK = 0.1;
      call(yTrue: AnyTensor, yPred: AnyTensor): AnyTensor {
        const lossReal = mean(abs(subtract(yTrue, yPred)), -1);
        const lossFake = mean(square(yPred), -1);
        const k = this.k.value;
        const out = subtract(lossReal, multiply(k, lossFake));
        const balance = subtract(multiply(this.gamma, mean(lossReal)), mean(lossFake));
        this.k.assign(clip(add(k, multiply(this.lambdaK, balance)), 0, 1) as unknown as Tensor);
        return out;
      }
    }
    const loss = new DiscriminatorLoss({ dtype: "float64" });
    assert.ok(loss.k instanceof Variable);
    assert.equal(loss.k.trainable, false);
    const t = f64([
      [1, 1],
      [0, 2],
    ]);
    const p = f64([
      [0.5, 0.5],
      [0.1, 0.1],
    ]);
    // L_real per sample: 0.5, 1.0 (mean 0.75); L_fake per sample: 0.25, 0.01 (mean 0.13).
    let k = 0;
    for (let step = 0; step < 3; step++) {
      const value = loss(t, p);
      assertClose(value, (0.5 + 1.0) / 2 - k * ((0.25 + 0.01) / 2), { rtol: 1e-12 });
      k = Math.min(1, Math.max(0, k + 0.1 * (0.5 * 0.75 - 0.13)));
      assertClose(loss.k.peek(), k, { rtol: 1e-12 });
    }
    assert.ok(k > 0.06, "k moved");
    // Inside a gradient computation the loss still differentiates and k still moves.
    const before = loss.k.peek().item() as number;
    const g = grad((x: Tensor) => loss(t, x) as Tensor)(p) as Tensor;
    assert.deepEqual(g.shape, [2, 2]);
    assert.ok((loss.k.peek().item() as number) > before);
  });

  it("call returning a scalar, [batch] or [batch, T] is reduced; [batch + 1] is an error naming the loss", () => {
    const make = (f: (p: AnyTensor) => AnyTensor) =>
      new (class Custom extends Loss {
        call(_t: AnyTensor, p: AnyTensor): AnyTensor {
          return f(p);
        }
      })({ name: "custom_loss" });
    const p = toTensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assertClose(make((x) => mean(x))(p, p), 3.5);
    assertClose(make((x) => mean(x, -1))(p, p), 3.5);
    assertClose(make((x) => x)(p, p), 3.5);
    assert.throws(
      () => make(() => toTensor([1, 2, 3, 4]))(p, p),
      /Loss 'custom_loss' \(Custom\): call\(\) must return one loss value per sample \(shape \[3, \.\.\.\], as y_pred \[3, 2\]\) or a scalar, received shape \[4\]/,
    );
    assert.throws(
      () => make(() => undefined as unknown as AnyTensor)(p, p),
      /Loss 'custom_loss' \(Custom\): call\(\) returned undefined/,
    );
  });

  it("errors thrown inside call are prefixed with the loss and both shapes", () => {
    const loss = new MyMae({ name: "mine" });
    assert.throws(
      () => loss(toTensor([[1, 2, 3]]), toTensor([[1, 2]])),
      /Loss 'mine' \(MyMae\) on y_true \[1, 3\] and y_pred \[1, 2\]: ops\.subtract/,
    );
  });

  it("Variables and int labels are accepted as inputs", () => {
    const v = new Variable(toTensor([[0.5, 0.5]]));
    assertClose(new losses.MeanSquaredError()(toTensor([[1, 0]], "int32"), v), 0.25);
  });

  it("symbolic inputs give a symbolic scalar (dynamic batch size)", () => {
    const t = new SymbolicTensor([null, 2], "float32");
    const p = new SymbolicTensor([null, 2], "float32");
    for (const reduction of REDUCTIONS) {
      const out = new MyMae({ reduction })(t, p, new SymbolicTensor([null], "float32"));
      assert.ok(out instanceof SymbolicTensor);
      assert.deepEqual(out.shape, reduction === "none" ? [null] : []);
    }
  });

  it("on symbolic inputs of a functional model, the batch size is counted when the graph runs", () => {
    const t = Input({ shape: [3] });
    const p = Input({ shape: [3] });
    const model = new Model({ inputs: [t, p], outputs: [new losses.MeanSquaredError()(t, p)] });
    const [out] = model([
      toTensor([
        [1, 2, 3],
        [0, 0, 0],
      ]),
      toTensor([
        [1, 2, 4],
        [0, 0, 2],
      ]),
    ]) as unknown as Tensor[];
    // Per sample 1/3 and 4/3; mean over the 2 samples.
    assertClose(out, (1 / 3 + 4 / 3) / 2);
    // Hinge decides in the graph whether labels are 0/1 (converted to -1/1) or not.
    const hingeModel = new Model({ inputs: [t, p], outputs: [new losses.Hinge({ reduction: "none" })(t, p)] });
    const pred = toTensor([
      [0.5, -0.5, 2],
      [0.5, -0.5, 2],
    ]);
    const [binary] = hingeModel([
      toTensor([
        [1, 0, 1],
        [0, 0, 1],
      ]),
      pred,
    ]) as unknown as Tensor[];
    assertClose(binary, [(0.5 + 0.5 + 0) / 3, (1.5 + 0.5 + 0) / 3]);
    const [other] = hingeModel([
      toTensor([
        [2, 0, 1],
        [0, 0, 1],
      ]),
      pred,
    ]) as unknown as Tensor[];
    assertClose(other, [(0 + 1 + 0) / 3, (1 + 1 + 0) / 3]);
  });

  it("a loss function returning [batch + 1] values is refused with the function's name", () => {
    const badLoss = (_t: AnyTensor, p: AnyTensor) => toTensor(new Array((p.shape[0] ?? 0) + 1).fill(1));
    assert.throws(
      () => losses.get(badLoss)(toTensor([[1], [2]]), toTensor([[1], [2]])),
      /Loss 'badLoss' \(LossFunctionWrapper\): call\(\) must return one loss value per sample \(shape \[2, \.\.\.\]/,
    );
  });

  it("gradient through a custom loss with a mask and sample weights (checkGrad)", () => {
    const loss = new MyMae({ dtype: "float64" });
    const t = randomTensor([3, 4, 2], 5);
    const m = toTensor([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [1, 0, 0, 0],
    ]);
    checkGrad(
      (x) => {
        setMask(x, m);
        return loss(t, x, f64([0.5, 1, 2])) as Tensor;
      },
      [randomTensor([3, 4, 2], 6)],
    );
  });
});

describe("reductions, sample weights and masks (Keras's reduce_weighted_values)", () => {
  it("masks from y_pred: each reduction, with per-sample weights (NumPy fixture)", () => {
    const c = fx.mask;
    for (const reduction of REDUCTIONS) {
      const loss = new losses.MeanSquaredError({ reduction, dtype: "float64" });
      const p = f64(c.yPred);
      setMask(p, toTensor(c.mask, "bool"));
      assertClose(loss(c.yTrue, p), c.reduced[reduction].plain, { rtol: 1e-10 });
      assertClose(loss(c.yTrue, p, c.sampleWeight), c.reduced[reduction].weighted, { rtol: 1e-10 });
    }
    // By hand: sum_over_batch_size averages over the 7 unmasked timesteps.
    const p = f64(c.yPred);
    setMask(p, toTensor(c.mask, "bool"));
    const kept = c.perSample.flat().filter((_, i) => c.mask.flat()[i] === 1);
    assertClose(new losses.MeanSquaredError({ dtype: "float64" })(c.yTrue, p), kept.reduce((a, b) => a + b, 0) / 7, {
      rtol: 1e-12,
    });
  });

  it("sample weights shaped [B, 1] and scalar (NumPy fixture)", () => {
    const c = fx.cases[0];
    const s = fx.sampleWeightShapes;
    for (const reduction of REDUCTIONS) {
      const loss = new losses.MeanSquaredError({ reduction, dtype: "float64" });
      assertClose(loss(c.yTrue, c.yPred, s.swColumn), s.column[reduction], { rtol: 1e-10 });
      assertClose(loss(c.yTrue, c.yPred, s.swScalar), s.scalar[reduction], { rtol: 1e-10 });
    }
  });

  it("by hand: sum, sum_over_batch_size, mean_with_sample_weight (zero weights give 0), none", () => {
    const v = f64([1, 2, 3, 4]);
    const w = f64([1, 0, 2, 1]);
    assertClose(reduce(v, { reduction: "sum" }), 10);
    assertClose(reduce(v, { sampleWeight: w, reduction: "sum" }), 1 + 6 + 4);
    assertClose(reduce(v, { sampleWeight: w }), 11 / 4);
    assertClose(reduce(v, { sampleWeight: w, reduction: "mean_with_sample_weight" }), 11 / 4);
    assertClose(reduce(v, { sampleWeight: f64([1, 0, 1, 0]), reduction: "mean_with_sample_weight" }), 2);
    assertClose(reduce(v, { sampleWeight: f64([0, 0, 0, 0]), reduction: "mean_with_sample_weight" }), 0);
    assertClose(reduce(v, { sampleWeight: w, reduction: "none" }), [1, 0, 6, 4]);
    assertClose(reduce(v, { sampleWeight: w, reduction: null }), [1, 0, 6, 4]);
    // A fully masked batch gives 0, not NaN.
    assertClose(reduce(v, { mask: toTensor([false, false, false, false]) }), 0);
    // Scalars and empty batches pass through.
    assertClose(reduce(f64(5)), 5);
    assert.deepEqual(reduce(f64([])).shape, [0]);
  });

  it("mask and sample weights on the same per-sample values", () => {
    // sum_over_batch_size: kept entries weighted by total/valid = 4/2, then divided by 4.
    const v = f64([1, 2, 3, 4]);
    const mask = toTensor([true, false, true, false]);
    assertClose(reduce(v, { mask, sampleWeight: f64([2, 1, 1, 1]) }), (2 * 1 + 3) / 2);
    assertClose(reduce(v, { mask, sampleWeight: f64([2, 1, 1, 1]), reduction: "sum" }), 5);
    assertClose(reduce(v, { mask, sampleWeight: f64([2, 1, 1, 1]), reduction: "mean_with_sample_weight" }), 5 / 3);
  });

  it("squeezeOrExpandToSameRank matches Keras", () => {
    const shapes = (a: number[], b: number[]) =>
      squeezeOrExpandToSameRank(Tensor.empty(a), Tensor.empty(b)).map((x) => x.shape);
    assert.deepEqual(shapes([4], [4, 1]), [
      [4, 1],
      [4, 1],
    ]);
    assert.deepEqual(shapes([4, 1], [4]), [
      [4, 1],
      [4, 1],
    ]);
    assert.deepEqual(shapes([4, 5, 1], [4, 5]), [
      [4, 5],
      [4, 5],
    ]);
    assert.deepEqual(shapes([4, 5], [4, 5, 1]), [
      [4, 5],
      [4, 5],
    ]);
    assert.deepEqual(shapes([4, 3], [4]), [[4, 3], [4]]);
  });

  it("sample weights that do not fit the values give an error naming the loss and both shapes", () => {
    const loss = new losses.MeanSquaredError();
    assert.throws(
      () => loss(toTensor([[1], [2], [3], [4]]), toTensor([[1], [2], [3], [4]]), [1, 2, 3]),
      /Loss 'mean_squared_error' \(MeanSquaredError\): sample_weight.* of shape \[3\] does not fit the per-sample loss values of shape \[4\]/,
    );
  });
});

describe("get, serialize, deserialize", () => {
  it("names in Keras's snake_case, short names, class names and camelCase give the Keras class", () => {
    const cases: [string, unknown, string][] = [
      ["categorical_crossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"],
      ["categoricalCrossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"],
      ["CategoricalCrossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"],
      ["mse", losses.MeanSquaredError, "mean_squared_error"],
      ["MSE", losses.MeanSquaredError, "mean_squared_error"],
      ["mean_squared_error", losses.MeanSquaredError, "mean_squared_error"],
      ["mae", losses.MeanAbsoluteError, "mean_absolute_error"],
      ["mape", losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error"],
      ["msle", losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"],
      ["kld", losses.KLDivergence, "kl_divergence"],
      ["kl_divergence", losses.KLDivergence, "kl_divergence"],
      ["klDivergence", losses.KLDivergence, "kl_divergence"],
      ["bce", losses.BinaryCrossentropy, "binary_crossentropy"],
      ["huber", losses.Huber, "huber_loss"],
      ["log_cosh", losses.LogCosh, "log_cosh"],
      ["logCosh", losses.LogCosh, "log_cosh"],
      ["sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"],
      ["binary_focal_crossentropy", losses.BinaryFocalCrossentropy, "binary_focal_crossentropy"],
      ["poisson", losses.Poisson, "poisson"],
      ["cosine_similarity", losses.CosineSimilarity, "cosine_similarity"],
      ["hinge", losses.Hinge, "hinge"],
      ["squaredHinge", losses.SquaredHinge, "squared_hinge"],
      ["categorical_hinge", losses.CategoricalHinge, "categorical_hinge"],
    ];
    for (const [id, cls, name] of cases) {
      const loss = losses.get(id);
      assert.ok(loss instanceof (cls as typeof Loss), id);
      assert.equal(loss.name, name, id);
    }
    assert.equal(losses.get(null), null);
    const inst = new losses.Huber();
    assert.equal(losses.get(inst), inst);
    assert.ok(losses.get(losses.Poisson) instanceof losses.Poisson);
  });

  it("a function is wrapped in a LossFunctionWrapper named after it, computing per-sample values", () => {
    const generatorLoss = (yTrue: AnyTensor, yPred: AnyTensor) => mean(abs(subtract(yPred, yTrue)), [1, 2]);
    const loss = losses.get(generatorLoss);
    assert.ok(loss instanceof losses.LossFunctionWrapper);
    assert.equal(loss.name, "generatorLoss");
    const t = randomTensor([2, 3, 2], 1);
    const p = randomTensor([2, 3, 2], 2);
    const perSample = generatorLoss(t, p) as unknown as Tensor;
    assertClose(loss(t, p, [1, 3]), (perSample.data[0] + 3 * perSample.data[1]) / 2, { rtol: 1e-6 });
  });

  it("unknown names list the known identifiers", () => {
    assert.throws(
      () => losses.get("categorical_crossentropyy"),
      /unknown loss 'categorical_crossentropyy'\. Known losses: mean_squared_error, .*categorical_crossentropy.*short names bce, .*mse.*class names .*CategoricalCrossentropy/,
    );
    assert.throws(() => losses.get("meansquarederror"), /unknown loss 'meansquarederror'/);
  });

  it("serialize gives Keras's config dict with snake_case keys; deserialize gives the loss back", () => {
    const cce = new losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, reduction: "sum" });
    const config = losses.serialize(cce);
    assert.deepEqual(config, {
      module: "keras.losses",
      class_name: "CategoricalCrossentropy",
      config: {
        name: "categorical_crossentropy",
        reduction: "sum",
        from_logits: true,
        label_smoothing: 0.1,
        axis: -1,
      },
      registered_name: null,
    });
    const back = losses.deserialize(config as losses.LossConfig) as losses.CategoricalCrossentropy;
    assert.ok(back instanceof losses.CategoricalCrossentropy);
    assert.deepEqual(back.getConfig(), cce.getConfig());
    const classes = [
      new losses.MeanSquaredError({ reduction: null }),
      new losses.BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.4, gamma: 3 }),
      new losses.SparseCategoricalCrossentropy({ ignoreClass: 255, fromLogits: true }),
      new losses.Huber({ delta: 0.5 }),
      new losses.CosineSimilarity({ axis: 1 }),
    ];
    for (const loss of classes) {
      const c = losses.serialize(loss) as losses.LossConfig;
      const again = losses.deserialize(JSON.parse(JSON.stringify(c))) as Loss;
      assert.equal(again.constructor, loss.constructor);
      assert.deepEqual(again.getConfig(), loss.getConfig());
    }
    assert.deepEqual(losses.serialize(new losses.SparseCategoricalCrossentropy()), {
      module: "keras.losses",
      class_name: "SparseCategoricalCrossentropy",
      config: {
        name: "sparse_categorical_crossentropy",
        reduction: "sum_over_batch_size",
        from_logits: false,
        ignore_class: null,
      },
      registered_name: null,
    });
  });

  it("Keras-style identifiers: { class_name, config } and function configs", () => {
    const loss = losses.get({ class_name: "CategoricalCrossentropy", config: { from_logits: true } });
    assert.ok(loss instanceof losses.CategoricalCrossentropy);
    assert.equal(loss.fromLogits, true);
    const fn = losses.deserialize({
      module: "keras.losses",
      class_name: "function",
      config: "mean_squared_error",
      registered_name: null,
    });
    assert.equal(fn, losses.meanSquaredError);
    assert.deepEqual(losses.serialize(losses.meanSquaredError), {
      module: "keras.losses",
      class_name: "function",
      config: "mean_squared_error",
      registered_name: "mean_squared_error",
    });
  });

  it("custom functions and classes serialize with their names and come back through customObjects", () => {
    const myLoss = (yTrue: AnyTensor, yPred: AnyTensor) => mean(square(subtract(yPred, yTrue)), -1);
    const wrapped = new losses.LossFunctionWrapper(myLoss, { reduction: "sum", scale: 2 });
    const config = losses.serialize(wrapped) as losses.LossConfig;
    assert.deepEqual(config, {
      module: "keras.losses",
      class_name: "LossFunctionWrapper",
      config: {
        name: "myLoss",
        reduction: "sum",
        fn: { module: null, class_name: "function", config: "myLoss", registered_name: "myLoss" },
        scale: 2,
      },
      registered_name: null,
    });
    assert.throws(() => losses.deserialize(config), /unknown loss function 'myLoss'\. Pass it in customObjects/);
    const back = losses.deserialize(config, { myLoss }) as losses.LossFunctionWrapper;
    assert.equal(back.fn, myLoss);
    assert.deepEqual(back.fnOptions, { scale: 2 });
    assert.equal(back.reduction, "sum");

    const custom = losses.serialize(new MyMae({ name: "m", reduction: "mean" })) as losses.LossConfig;
    assert.deepEqual(custom, {
      module: null,
      class_name: "MyMae",
      config: { name: "m", reduction: "mean" },
      registered_name: "MyMae",
    });
    assert.throws(() => losses.deserialize(custom), /unknown loss class 'MyMae'.*customObjects/);
    const m = losses.deserialize(custom, { MyMae }) as MyMae;
    assert.ok(m instanceof MyMae);
    assert.equal(m.reduction, "mean");
  });
});
