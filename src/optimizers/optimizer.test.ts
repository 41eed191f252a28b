import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { GradientTape } from "../autodiff/tape.js";
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import * as ops from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import { assertClose } from "../testing/gradcheck.js";
import * as optimizers from "./index.js";
import type { Optimizer } from "./optimizer.js";
import type { SlotVariable } from "./slot_variable.js";
import { ExponentialDecay, PiecewiseConstantDecay } from "./schedules/learning_rate_schedule.js";

const { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion } = optimizers;

function variable(values: number[] | number[][], path: string): Variable {
  const v = new Variable(values, { name: path.split("/").pop() });
  v.path = path;
  return v;
}

const t = (x: number[] | number[][]) => toTensor(x);

describe("Optimizer variables", () => {
  it("lists iteration, learning_rate and the slots in Keras's order and names", () => {
    const w = variable([[1, 2]], "dense/kernel");
    const b = variable([0], "dense/bias");
    const adam = new Adam({ name: "adam" });
    adam.build([w, b]);
    assert.deepEqual(
      adam.variables.map((v) => v.path),
      [
        "adam/iteration",
        "adam/learning_rate",
        "adam/dense_kernel_momentum",
        "adam/dense_kernel_velocity",
        "adam/dense_bias_momentum",
        "adam/dense_bias_velocity",
      ],
    );
    assert.deepEqual(
      adam.variables.map((v) => v.name),
      [
        "iteration",
        "learning_rate",
        "dense_kernel_momentum",
        "dense_kernel_velocity",
        "dense_bias_momentum",
        "dense_bias_velocity",
      ],
    );
    assert.equal(adam.iterations.dtype, "int32");
    assert.equal(adam.iterations.trainable, false);
    assert.deepEqual(adam.variables[2].shape, [1, 2]);

    const ams = new Adam({ amsgrad: true, useEma: true, name: "a2" });
    ams.build([w, b]);
    assert.deepEqual(
      ams.variables.map((v) => v.name),
      [
        "iteration",
        "learning_rate",
        "dense_kernel_average",
        "dense_bias_average",
        "dense_kernel_momentum",
        "dense_kernel_velocity",
        "dense_bias_momentum",
        "dense_bias_velocity",
        "dense_kernel_velocity_hat",
        "dense_bias_velocity_hat",
      ],
    );
    const nadam = new Nadam({ name: "nadam" });
    nadam.build([w]);
    assert.deepEqual(
      nadam.variables.map((v) => v.name),
      ["iteration", "learning_rate", "dense_kernel_momentum", "dense_kernel_velocity", "u_product"],
    );
    const sgd = new SGD();
    sgd.build([w]);
    assert.equal(sgd.variables.length, 2); // no momentum slots without momentum
    const adagrad = new Adagrad();
    adagrad.build([w]);
    assertClose(adagrad.variables[2].peek(), [[0.1, 0.1]]);
    // A schedule has no learning_rate variable.
    assert.deepEqual(
      new SGD(new ExponentialDecay(0.1, 10, 0.5), { name: "s" }).variables.map((v) => v.path),
      ["s/iteration"],
    );
  });

  it("names optimizers as Keras's auto_name does", () => {
    assert.match(new Adam().name, /^adam(_\d+)?$/);
    assert.match(new RMSprop().name, /^rm_sprop(_\d+)?$/);
    assert.match(new AdamW().name, /^adam_w(_\d+)?$/);
    const a = new SGD();
    const b = new SGD();
    assert.notEqual(a.name, b.name);
  });

  it("builds lazily on the first apply and counts iterations", () => {
    const w = variable([1, 2], "w");
    const opt = new SGD(0.5);
    assert.equal(opt.built, false);
    opt.apply([t([1, 1])], [w]);
    assert.equal(opt.built, true);
    assertClose(w.peek(), [0.5, 1.5]);
    opt.applyGradients([[t([2, 0]), w]]);
    assertClose(w.peek(), [-0.5, 1.5]);
    opt.apply([t([0, 2])]); // variables default to those it was built with
    assertClose(w.peek(), [-0.5, 0.5]);
    assert.equal(opt.iterations.peek().data[0], 3);
  });

  it("never writes into a tensor that may still be held (variables get new tensors)", () => {
    const w = variable([1, 2], "w");
    const before = w.peek();
    const opt = new Adam(0.1);
    opt.apply([t([1, 1])], [w]);
    assert.deepEqual(Array.from(before.data), [1, 2]);
    assert.notEqual(w.peek(), before);
  });
});

describe("slot variables updated in place only while nothing outside holds them", () => {
  it("a slot tensor read from outside is never written afterwards", () => {
    const w = variable([1, 2], "w");
    const opt = new Adam(0.1);
    opt.apply([t([1, 1])], [w]);
    const m = opt.variables[2] as SlotVariable;
    const internal = m.current();
    opt.apply([t([0, 0])], [w]);
    assert.equal(m.current(), internal, "an unexposed slot is updated in place");
    const held = m.peek(); // exposes the slot
    const snapshot = Array.from(held.data);
    opt.apply([t([3, -3])], [w]);
    assert.deepEqual(Array.from(held.data), snapshot);
    assert.notEqual(m.peek(), held);
    // m1 = 0.1; m2 = 0.1 * 0.9 = 0.09; m3 = m2 + (g - m2) * 0.1.
    assertClose(m.peek(), [0.09 + (3 - 0.09) * 0.1, 0.09 + (-3 - 0.09) * 0.1]);
    // A tensor assigned from outside is not written into either.
    const mine = toTensor([0, 0]);
    m.assign(mine);
    opt.apply([t([1, 1])], [w]);
    assert.deepEqual(Array.from(mine.data), [0, 0]);
    assertClose(m.peek(), [0.1, 0.1]);
  });
});

describe("Optimizer.apply: gradients", () => {
  it("skips null gradients (those variables stay unchanged) and warns once", () => {
    const warn = mock.method(console, "warn", () => {});
    try {
      const a = variable([1, 1], "a");
      const b = variable([5], "b");
      const opt = new SGD(0.1, { momentum: 0.9 });
      opt.apply([null, t([1])], [a, b]);
      opt.apply([null, t([1])], [a, b]);
      assertClose(a.peek(), [1, 1]);
      // m1 = -0.1, b = 4.9; m2 = 0.9 * -0.1 - 0.1 = -0.19, b = 4.71
      assertClose(b.peek(), [4.71]);
      assert.equal(warn.mock.callCount(), 1);
      assert.match(String(warn.mock.calls[0].arguments[0]), /gradients do not exist for variables \[a\]/);
      assert.equal(opt.iterations.peek().data[0], 2);
      assert.throws(() => opt.apply([null, null], [a, b]), /SGD\.apply: no gradients provided for any variable/);
    } finally {
      warn.mock.restore();
    }
  });

  it("rejects a gradient whose shape differs from its variable's, updating nothing", () => {
    const a = variable([1, 1], "dense/bias");
    const k = variable([[1, 2, 3]], "dense/kernel");
    const opt = new Adam({ name: "my_adam" });
    assert.throws(
      () => opt.apply([t([1, 1]), t([[1, 2]])], [a, k]),
      /Adam 'my_adam': the gradient for variable 'dense\/kernel' has shape \[1, 2\], but the variable has shape \[1, 3\]/,
    );
    assertClose(a.peek(), [1, 1]);
    assert.equal(opt.iterations.peek().data[0], 0);
  });

  it("rejects unknown variables, a count mismatch and apply before build without variables", () => {
    const a = variable([1], "a");
    const opt = new SGD();
    assert.throws(
      () => opt.apply([t([1])]),
      /SGD\.apply: when passing gradients without variables, the optimizer must already be built/,
    );
    opt.build([a]);
    assert.throws(() => opt.apply([t([1])], [variable([1], "other")]), /SGD\.apply: unknown variable .*other/);
    assert.throws(() => opt.apply([t([1]), t([1])]), /received 2 gradients, but the optimizer is tracking 1/);
    const i = new Variable([1, 2], { dtype: "int32", name: "i" });
    const o2 = new SGD();
    assert.throws(
      () => o2.apply([t([1, 1])], [i]),
      /SGD '.*': variable 'i' has dtype int32; only float variables can be trained/,
    );
  });

  it("applies each variable's constraint after the update", () => {
    const w = variable([0.05, 1], "w");
    w.constraint = (x: Tensor) => ops.maximum(x, 0) as Tensor;
    const opt = new SGD(0.1);
    opt.apply([t([1, 1])], [w]);
    assertClose(w.peek(), [0, 0.9]);
  });

  it("casts nothing away: float64 variables and float32 gradients", () => {
    const w = new Variable(toTensor([1, 2], "float64"), { name: "w64" });
    new SGD(0.25).apply([t([1, 4])], [w]);
    assert.equal(w.dtype, "float64");
    assertClose(w.peek(), [0.75, 1]);
  });

  it("divides gradients by lossScaleFactor and scales the loss", () => {
    const w = variable([1], "w");
    const opt = new SGD(0.1, { lossScaleFactor: 4 });
    opt.apply([t([8])], [w]);
    assertClose(w.peek(), [0.8]);
    assertClose(opt.scaleLoss(t([2])) as Tensor, [8]);
  });

  it("excludes variables from weight decay by list or by name", () => {
    const k = variable([1], "dense/kernel");
    const b = variable([1], "dense/bias");
    const opt = new SGD(0.1, { weightDecay: 0.5 });
    opt.excludeFromWeightDecay({ varNames: ["bias"] });
    opt.apply([t([0]), t([0])], [k, b]);
    assertClose(k.peek(), [0.95]);
    assertClose(b.peek(), [1]);
    assert.throws(
      () => opt.excludeFromWeightDecay({ varList: [k] }),
      /only be configured before the optimizer is built/,
    );
  });
});

describe("Optimizer learning rate", () => {
  it("is a float32 variable for a number, settable (as the callbacks do)", () => {
    const opt = new SGD(0.1);
    assert.equal(opt.learningRate, Math.fround(0.1));
    opt.learningRate = 0.5;
    assert.equal(opt.learningRate, 0.5);
    const w = variable([1], "w");
    opt.apply([t([1])], [w]);
    assertClose(w.peek(), [0.5]);
    assert.equal(opt.getConfig().learningRate, 0.5);
  });

  it("follows a schedule or a function of the step, evaluated at iterations before the update", () => {
    const opt = new SGD(new PiecewiseConstantDecay([0, 1], [1, 0.5, 0.25]));
    const w = variable([0], "w");
    assert.equal(opt.learningRate, 1);
    opt.apply([t([1])], [w]);
    assert.equal(opt.learningRate, 0.5);
    opt.apply([t([1])], [w]);
    opt.apply([t([1])], [w]);
    assertClose(w.peek(), [-1.75]);
    assert.throws(() => {
      opt.learningRate = 0.1;
    }, /SGD: this optimizer was created with a LearningRateSchedule as its learning rate, hence its learning rate is not settable/);

    const f = new Adam((step: number) => 0.1 / (step + 1));
    assert.equal(f.learningRate, Math.fround(0.1));
    f.apply([t([1])], [w]);
    assert.equal(f.learningRate, Math.fround(0.05));
  });

  it("replaces a fixed rate by a schedule (untracking the variable)", () => {
    const opt = new SGD(0.1, { name: "s2" });
    opt.learningRate = new ExponentialDecay(1, 1, 0.5);
    assert.deepEqual(
      opt.variables.map((v) => v.path),
      ["s2/iteration"],
    );
    assert.equal(opt.learningRate, 1);
  });

  it("rejects a learning rate that is not a number, schedule or function", () => {
    assert.throws(
      () => new Adam({ learningRate: "fast" as unknown as number }),
      /Adam: argument `learningRate` should be a number/,
    );
  });
});

describe("Optimizer argument checks", () => {
  it("allows one clipping option and valid EMA settings", () => {
    assert.throws(
      () => new SGD({ clipnorm: 1, clipvalue: 1 }),
      /SGD: only one of `clipnorm`, `clipvalue` and `globalClipnorm` can be set/,
    );
    assert.throws(() => new Adam({ useEma: true, emaMomentum: 1.5 }), /`emaMomentum` must be in the range \[0, 1\]/);
    assert.throws(
      () => new Adam({ useEma: true, emaOverwriteFrequency: 0.5 }),
      /`emaOverwriteFrequency` must be an integer >= 1/,
    );
    assert.throws(() => new SGD({ momentum: 2 }), /SGD: `momentum` must be a number between \[0, 1\]/);
    assert.throws(() => new AdamW({ weightDecay: null }), /AdamW: argument `weightDecay` must be a number/);
    assert.throws(() => new Lion({ beta1: 0 }), /Lion: argument `beta1` must be in the \[0, 1\] range/);
    assert.throws(() => new Adam({ gradientAccumulationSteps: 2 }), /gradientAccumulationSteps is not supported yet/);
  });

  it("has Keras 3's defaults", () => {
    const d = (o: Optimizer) => o.getConfig();
    assert.equal(new SGD().learningRate, Math.fround(0.01));
    assert.deepEqual([d(new SGD()).momentum, d(new SGD()).nesterov], [0, false]);
    assert.deepEqual(
      [d(new RMSprop()).rho, d(new RMSprop()).momentum, d(new RMSprop()).epsilon, d(new RMSprop()).centered],
      [0.9, 0, 1e-7, false],
    );
    const adam = d(new Adam());
    assert.deepEqual(
      [adam.learningRate, adam.beta1, adam.beta2, adam.epsilon, adam.amsgrad],
      [Math.fround(0.001), 0.9, 0.999, 1e-7, false],
    );
    assert.equal(d(new AdamW()).weightDecay, 0.004);
    assert.deepEqual([d(new Adagrad()).initialAccumulatorValue, d(new Adagrad()).epsilon], [0.1, 1e-7]);
    assert.deepEqual([d(new Adadelta()).rho, d(new Adadelta()).epsilon], [0.95, 1e-7]);
    assert.deepEqual([d(new Adamax()).beta1, d(new Adamax()).beta2, d(new Adamax()).epsilon], [0.9, 0.999, 1e-7]);
    assert.deepEqual([d(new Nadam()).beta1, d(new Nadam()).beta2, d(new Nadam()).epsilon], [0.9, 0.999, 1e-7]);
    assert.deepEqual([d(new Lion()).beta1, d(new Lion()).beta2], [0.9, 0.99]);
    const base = d(new Adam());
    assert.deepEqual(
      [
        base.weightDecay,
        base.clipnorm,
        base.clipvalue,
        base.globalClipnorm,
        base.useEma,
        base.emaMomentum,
        base.emaOverwriteFrequency,
      ],
      [null, null, null, null, false, 0.99, null],
    );
  });
});

describe("user-defined optimizers", () => {
  class SignSGD extends optimizers.Optimizer {
    static override className = "SignSGD";
    constructor(args: optimizers.OptimizerArgs = {}) {
      super({ ...args, learningRate: args.learningRate ?? 0.1 });
    }
    protected updateStep(g: Tensor, v: Variable, lr: number): void {
      v.assign(ops.subtract(v.peek(), ops.multiply(lr, ops.sign(g))) as Tensor);
    }
  }

  it("subclass Optimizer with updateStep; weight decay applied by the base class first", () => {
    const w = variable([1, -2], "w");
    const opt = new SignSGD({ learningRate: 0.5, weightDecay: 0.2 });
    assert.match(opt.name, /^sign_sgd/);
    opt.apply([t([3, -0.1])], [w]);
    // w - w * 0.2 * 0.5, then - 0.5 * sign(g)
    assertClose(w.peek(), [0.9 - 0.5, -1.8 + 0.5]);
    assert.equal(optimizers.get(opt), opt);
    const s = optimizers.serialize(opt);
    assert.equal(s.registered_name, "SignSGD");
    assert.throws(() => optimizers.deserialize(s), /could not interpret optimizer identifier 'SignSGD'/);
    assert.ok(optimizers.deserialize(s, { SignSGD }) instanceof SignSGD);
  });
});

describe("EMA", () => {
  it("finalizeVariableValues swaps in the moving averages", () => {
    const w = variable([1], "w");
    const opt = new SGD(1, { useEma: true, emaMomentum: 0.5 });
    opt.apply([t([1])], [w]); // w = 0; first step: average = w = 0
    opt.apply([t([1])], [w]); // w = -1; average = 0.5 * 0 + 0.5 * -1 = -0.5
    opt.apply([t([1])], [w]); // w = -2; average = -1.25
    assertClose(w.peek(), [-2]);
    opt.finalizeVariableValues();
    assertClose(w.peek(), [-1.25]);
    // Without EMA it does nothing.
    const v = variable([3], "v");
    new SGD().finalizeVariableValues([v]);
    assertClose(v.peek(), [3]);
  });
});

describe("optimizers.get, serialize, deserialize", () => {
  it("resolves Keras's identifiers, camelCase and class names", () => {
    for (const [id, cls] of [
      ["adam", Adam],
      ["Adam", Adam],
      ["sgd", SGD],
      ["SGD", SGD],
      ["rmsprop", RMSprop],
      ["RMSprop", RMSprop],
      ["adamw", AdamW],
      ["adam_w", AdamW],
      ["AdamW", AdamW],
      ["adagrad", Adagrad],
      ["adadelta", Adadelta],
      ["adamax", Adamax],
      ["nadam", Nadam],
      ["lion", Lion],
    ] as const) {
      assert.ok(optimizers.get(id) instanceof cls, id);
    }
    const inst = new Lion();
    assert.equal(optimizers.get(inst), inst);
    assert.equal(optimizers.get(null), null);
    assert.throws(
      () => optimizers.get("adamm"),
      /optimizers\.get: could not interpret optimizer identifier 'adamm'\. Known optimizers: "adam", "sgd", "rmsprop", "adadelta", "adamw", "adagrad", "adamax", "nadam", "lion"/,
    );
  });

  it("serializes as Keras's config dict and round-trips", () => {
    const opt = new Adam(0.5, { beta1: 0.8, amsgrad: true, clipnorm: 1, name: "opt" });
    const s = optimizers.serialize(opt);
    assert.deepEqual(s, {
      module: "keras.optimizers",
      class_name: "Adam",
      config: {
        name: "opt",
        learning_rate: 0.5,
        weight_decay: null,
        clipnorm: 1,
        global_clipnorm: null,
        clipvalue: null,
        use_ema: false,
        ema_momentum: 0.99,
        ema_overwrite_frequency: null,
        loss_scale_factor: null,
        gradient_accumulation_steps: null,
        beta_1: 0.8,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: true,
      },
      registered_name: null,
    });
    const back = optimizers.deserialize(JSON.parse(JSON.stringify(s)));
    assert.ok(back instanceof Adam);
    assert.deepEqual(back.getConfig(), opt.getConfig());
    assert.ok(optimizers.get({ ...s, class_name: "adam" }) instanceof Adam);
  });

  it("serializes a schedule inside the config", () => {
    const opt = new SGD(new ExponentialDecay(0.1, 100, 0.9, { staircase: true }), { momentum: 0.5, name: "sg" });
    const s = JSON.parse(JSON.stringify(optimizers.serialize(opt)));
    assert.deepEqual(s.config.learning_rate, {
      module: "keras.optimizers.schedules",
      class_name: "ExponentialDecay",
      config: {
        initial_learning_rate: 0.1,
        decay_steps: 100,
        decay_rate: 0.9,
        staircase: true,
        name: "ExponentialDecay",
      },
      registered_name: null,
    });
    const back = optimizers.deserialize(s) as InstanceType<typeof SGD>;
    assert.equal(back.momentum, 0.5);
    assert.equal(back.learningRate, Math.fround(0.1));
    assert.throws(
      () => optimizers.serialize(new SGD((s: number) => s)),
      /has a function as its learning rate, which cannot be serialized/,
    );
  });
});

describe("optimizer state", () => {
  it("getWeights/setWeights and save/loadOwnVariables follow `variables` order", () => {
    const w = variable([1, 2], "w");
    const a = new Adam(0.1);
    a.apply([t([1, -1])], [w]);
    const store: Record<string, Tensor> = {};
    a.saveOwnVariables(store);
    assert.deepEqual(Object.keys(store), ["0", "1", "2", "3"]);
    assert.equal(store["0"].data[0], 1);

    const w2 = variable([1, 2], "w");
    const b = new Adam(0.1);
    b.build([w2]);
    b.loadOwnVariables(store);
    assert.equal(b.iterations.peek().data[0], 1);
    a.apply([t([0.5, 0.5])], [w]);
    b.apply([t([0.5, 0.5])], [w2]);
    // The loaded momentum carries into the next update: same slots as the original after one more step.
    assert.deepEqual(Array.from(b.getWeights()[2].data), Array.from(a.getWeights()[2].data));
    assert.throws(() => new Adam().setWeights([]), /setWeights\(\) called on an optimizer that has not yet been built/);
  });
});

describe("end to end: minimizing a quadratic with a GradientTape", () => {
  const target = t([1, -2, 3]);
  const loss = (w: Variable) => sum(ops.square(ops.subtract(w.value, target))) as Tensor;
  const cases: [string, () => Optimizer][] = [
    ["SGD", () => new SGD(0.1)],
    ["SGD nesterov", () => new SGD(0.05, { momentum: 0.9, nesterov: true })],
    ["RMSprop", () => new RMSprop(0.05)],
    ["RMSprop centered", () => new RMSprop(0.05, { centered: true, momentum: 0.5 })],
    ["Adam", () => new Adam(0.1)],
    ["Adam amsgrad", () => new Adam(0.1, { amsgrad: true })],
    ["AdamW", () => new AdamW(0.1)],
    ["Adagrad", () => new Adagrad(0.5)],
    ["Adadelta", () => new Adadelta(20)],
    ["Adamax", () => new Adamax(0.1)],
    ["Nadam", () => new Nadam(0.1)],
    ["Lion", () => new Lion(0.05)],
  ];
  for (const [name, make] of cases) {
    it(`${name} decreases the loss`, () => {
      const w = variable([0, 0, 0], "w");
      const opt = make();
      const first = loss(w).item() as number;
      let last = first;
      for (let i = 0; i < 30; i++) {
        const tape = new GradientTape();
        const l = tape.record(() => loss(w));
        last = l.item() as number;
        const grads = tape.gradient(l, [w]);
        opt.apply(grads, [w]);
      }
      assert.ok(last < first * 0.5, `${name}: loss ${first} -> ${last}`);
      assert.equal(opt.iterations.peek().data[0], 30);
    });
  }
});
