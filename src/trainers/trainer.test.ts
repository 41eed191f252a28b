import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GradientTape } from "../autodiff/tape.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Input } from "../layers/core/input_layer.js";
import { Dense } from "../layers/core/dense.js";
import { Loss } from "../losses/index.js";
import { Model } from "../models/model.js";
import { Sequential } from "../models/sequential.js";
import * as ops from "../ops/index.js";
import type { AnyTensor } from "../ops/types.js";
import { Adam, SGD } from "../optimizers/index.js";
import { assertClose } from "../testing/gradcheck.js";
import type { StepData } from "./trainer.js";
import type { CallOptions } from "../layers/layer.js";
import type { Nested } from "../tree/index.js";

const t = ops.convertToTensor;

function linearModel(w: number[][], b: number[]): Model {
  const inputs = Input({ shape: [w.length] });
  const dense = new Dense(b.length, { name: "lin" });
  const model = new Model({ inputs, outputs: dense(inputs) });
  dense.setWeights([t(w), t(b)]);
  return model;
}

describe("fit, step by step against a hand-written reference", () => {
  it("takes the SGD steps that the MSE gradient formula gives", async () => {
    const x = t([
      [1, 2],
      [3, -1],
      [0.5, 0.5],
      [-2, 1],
    ]);
    const y = t([[1], [0], [2], [-1]]);
    const model = linearModel([[0.5], [-0.25]], [0.1]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    // Reference: plain JS, batch of 2, no shuffling.
    let w = [0.5, -0.25];
    let b = 0.1;
    const X = [
      [1, 2],
      [3, -1],
      [0.5, 0.5],
      [-2, 1],
    ];
    const Y = [1, 0, 2, -1];
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let s = 0; s < 4; s += 2) {
        const gw = [0, 0];
        let gb = 0;
        for (let i = s; i < s + 2; i++) {
          const err = X[i][0] * w[0] + X[i][1] * w[1] + b - Y[i];
          gw[0] += (2 * err * X[i][0]) / 2;
          gw[1] += (2 * err * X[i][1]) / 2;
          gb += (2 * err) / 2;
        }
        w = [w[0] - 0.1 * gw[0], w[1] - 0.1 * gw[1]];
        b -= 0.1 * gb;
      }
    }
    const history = await model.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    const [kernel, bias] = model.getWeights();
    assertClose(kernel, [[w[0]], [w[1]]], { rtol: 1e-5 });
    assertClose(bias, [b], { rtol: 1e-5 });
    assert.equal(history.history.loss.length, 2);
  });

  it("reports epoch loss and metrics over every sample, not averaged per batch", async () => {
    const model = linearModel([[1]], [0]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mae", metrics: ["mse"] });
    // errors 1, 2, 3 with batches of 2 and 1: MAE over samples = 2, mean of batch means would be 2.25.
    const x = t([[1], [2], [3]]);
    const y = t([[0], [0], [0]]);
    const logs = (await model.evaluate(x, y, { batchSize: 2, returnDict: true, verbose: 0 })) as Record<string, number>;
    assertClose(t(logs.loss), 2);
    assertClose(t(logs.mean_squared_error ?? logs.mse), 14 / 3, { rtol: 1e-5 });
  });
});

describe("training the founding document's way", () => {
  it("reduces a per-sample custom loss with sample weights", async () => {
    const generatorLoss = (yTrue: AnyTensor, yPred: AnyTensor) => ops.mean(ops.abs(ops.subtract(yPred, yTrue)), [1]);
    const model = linearModel([[0], [0]], [0]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: generatorLoss });
    const x = t([
      [1, 0],
      [0, 1],
    ]);
    const y = t([[1], [3]]);
    // per-sample |0 - y| = [1, 3]; weights [3, 1] -> sum_over_batch_size = (3 + 3) / 2 = 3
    const loss = model.testOnBatch(x, y, { sampleWeight: t([3, 1]) });
    assertClose(t(loss as number), 3);
  });

  it("adds a loss term from outside any layer (model.addLoss) and logs the total", async () => {
    const inputs = Input({ shape: [2] });
    const hidden = new Dense(3, { name: "h" })(inputs);
    const model = new Model({ inputs, outputs: new Dense(1)(hidden) });
    model.addLoss(ops.multiply(0.01, ops.mean(ops.square(hidden))));
    model.compile({ optimizer: "sgd", loss: "mse" });
    const x = t([[1, 2]]);
    const y = t([[0]]);
    const pred = model.predict(x) as Tensor;
    const h = (model.getLayer("h") as Dense).apply(x) as Tensor;
    const expected = (pred.data[0] as number) ** 2 + 0.01 * (ops.mean(ops.square(h)).item() as number);
    const loss = model.testOnBatch(x, y) as number;
    assertClose(t(loss), expected, { rtol: 1e-5 });
  });

  it("updates state from inside a loss during fit (BEGAN's k)", async () => {
    const lambdaK = 0.1;
    const gamma = 0.5;
    class BeganLoss extends Loss {
      k = new Variable(0, { trainable: false, name: "k" });
      override call(yTrue: Tensor, yPred: Tensor): Tensor {
        const perSample = ops.mean(ops.abs(ops.subtract(yPred, yTrue)), [1]);
        const real = ops.mean(perSample).item() as number;
        // k_{t+1} = clip(k_t + lambda * (gamma * L_real - L_fake), 0, 1) with L_fake taken as L_real / 4 here.
        const k = this.k.peek().item() as number;
        this.k.assign(Math.min(1, Math.max(0, k + lambdaK * (gamma * real - real / 4))));
        return perSample;
      }
    }
    const lossFn = new BeganLoss();
    const model = linearModel([[0]], [0]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: lossFn });
    const x = t([[1], [1]]);
    const y = t([[2], [2]]); // L = 2 every step
    await model.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    // three steps of +0.1 * (1 - 0.5)
    assertClose(lossFn.k.peek(), 0.15, { rtol: 1e-6 });
  });

  it("runs a GAN-style trainStep with two optimizers that update only their own variables", async () => {
    class GAN extends Model {
      generator = new Sequential([new Dense(2, { inputShape: [1], name: "g" })], { name: "generator" });
      discriminator = new Sequential([new Dense(1, { inputShape: [2], name: "d" })], { name: "discriminator" });
      gOpt = new SGD({ learningRate: 0.1 });
      dOpt = new SGD({ learningRate: 0.1 });
      override trainStep([real]: StepData) {
        const realT = real as Tensor;
        const noise = ops.ones([realT.shape[0], 1]);
        const dVars = this.discriminator.trainableWeights;
        const dTape = new GradientTape();
        const dLoss = dTape.record(() => {
          const fake = this.generator.apply(noise) as Tensor;
          const lr = this.discriminator.apply(realT) as Tensor;
          const lf = this.discriminator.apply(fake) as Tensor;
          return ops.add(ops.mean(ops.square(ops.subtract(lr, 1))), ops.mean(ops.square(lf)));
        });
        this.dOpt.apply(dTape.gradient(dLoss, dVars), dVars);
        const gVars = this.generator.trainableWeights;
        const gTape = new GradientTape();
        const gLoss = gTape.record(() =>
          ops.mean(ops.square(ops.subtract(this.discriminator.apply(this.generator.apply(noise)) as Tensor, 1))),
        );
        this.gOpt.apply(gTape.gradient(gLoss, gVars), gVars);
        return { d_loss: dLoss.item() as number, g_loss: gLoss.item() as number };
      }
    }
    const gan = new GAN();
    gan.compile({});
    const before = gan.weights.map((v) => v.peek());
    assert.equal(gan.weights.length, 4);
    const history = await gan.fit(
      t([
        [1, 2],
        [2, 1],
      ]),
      undefined,
      { epochs: 2, batchSize: 2, verbose: 0 },
    );
    assert.deepEqual(Object.keys(history.history).sort(), ["d_loss", "g_loss"]);
    const after = gan.weights.map((v) => v.peek());
    for (const [i, a] of after.entries()) assert.notDeepEqual(Array.from(a.data), Array.from(before[i].data));
    assert.equal(gan.dOpt.iterations.peek().item(), 2);
    assert.equal(gan.gOpt.iterations.peek().item(), 2);
  });

  it("freezes a layer at the next step without recompiling", async () => {
    const inputs = Input({ shape: [1] });
    const a = new Dense(1, { name: "a" });
    const b = new Dense(1, { name: "b" });
    const model = new Model({ inputs, outputs: b(a(inputs)) });
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    a.trainable = false;
    const aBefore = a.getWeights();
    const bBefore = b.getWeights();
    model.trainOnBatch(t([[1], [2]]), t([[3], [5]]));
    assert.deepEqual(a.getWeights(), aBefore);
    assert.notDeepEqual(Array.from(b.getWeights()[0].data), Array.from(bBefore[0].data));
  });
});

describe("fit options", () => {
  it("holds out validationSplit, logs val_ figures, and accepts iterables of batches", async () => {
    const model = linearModel([[0]], [0]);
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: "mse" });
    const xs = Array.from({ length: 20 }, (_, i) => [i / 20]);
    const ys = xs.map(([v]) => [3 * v - 1]);
    const h = await model.fit(xs, ys, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0 });
    assert.equal(h.history.val_loss.length, 3);
    // An iterable of [x, y] batches, iterated afresh each epoch.
    const batches = {
      *[Symbol.iterator]() {
        yield [t(xs.slice(0, 10)), t(ys.slice(0, 10))] as const;
        yield [xs.slice(10), ys.slice(10)] as const;
      },
    };
    const h2 = await model.fit(batches, undefined, { epochs: 2, verbose: 0 });
    assert.equal(h2.history.loss.length, 2);
    assert.ok(h2.history.loss[1] < h2.history.loss[0]);
  });
});

describe("bad input gives clear errors and leaves weights untouched", () => {
  it("fit before compile", async () => {
    const model = linearModel([[1]], [0]);
    await assert.rejects(model.fit([[1]], [[1]], { verbose: 0 }), /you must call compile\(\) before fit\(\)/);
  });

  it("x and y with different sample counts", async () => {
    const model = linearModel([[1]], [0]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    await assert.rejects(
      model.fit([[1], [2], [3]], [[1], [2]], { verbose: 0 }),
      /x and y must have the same number of samples; x has 3, y has 2/,
    );
  });

  it("labels whose shape does not fit the loss, with no weight changed", () => {
    const model = linearModel(
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
      [0, 0, 0],
    );
    model.compile({ optimizer: "sgd", loss: "categorical_crossentropy" });
    const before = model.getWeights();
    assert.throws(
      () => model.trainOnBatch([[1, 2]], [[0, 1, 0, 0]]),
      /Loss .*categorical_crossentropy.*\[1, 4\].*\[1, 3\]/,
    );
    assert.deepEqual(model.getWeights(), before);
  });

  it("unknown string identifiers list the known ones", () => {
    const model = linearModel([[1]], [0]);
    assert.throws(() => model.compile({ optimizer: "adamm", loss: "mse" }), /adamm.*adam/);
    assert.throws(() => model.compile({ optimizer: "adam", loss: "msee" }), /msee.*mean_squared_error/);
  });
});

describe("losses from layers, custom computeLoss, async data", () => {
  it("adds a loss from inside a layer's call, recomputed on every forward pass", () => {
    class Penalized extends Dense {
      override call(x: Nested<AnyTensor>, options: CallOptions): AnyTensor {
        const y = super.call(x, options) as Tensor;
        this.addLoss(ops.mean(ops.square(y)));
        return y;
      }
    }
    const inputs = Input({ shape: [1] });
    const layer = new Penalized(1);
    const model = new Model({ inputs, outputs: layer(inputs) });
    layer.setWeights([t([[2]]), t([0])]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mse" });
    // prediction 2x: mse (2 - 0)^2 = 4 plus penalty mean((2)^2) = 4
    assertClose(t(model.testOnBatch([[1]], [[0]]) as number), 8);
    assert.equal(model.losses.length, 1);
    assertClose(t(model.testOnBatch([[2]], [[0]]) as number), 32);
  });

  it("uses an overridden computeLoss, and reads its compiled loss back", async () => {
    class Custom extends Model {
      override computeLoss(args: { yPred: Nested<AnyTensor>; y?: Nested<Tensor> }): Tensor {
        return ops.mean(ops.abs(ops.subtract(args.yPred as Tensor, args.y as Tensor))) as Tensor;
      }
    }
    const inputs = Input({ shape: [1] });
    const dense = new Dense(1);
    const model = new Custom({ inputs, outputs: dense(inputs) });
    dense.setWeights([t([[1]]), t([0])]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    assert.equal(model.loss, "mse");
    assertClose(t(model.testOnBatch([[1], [2]], [[0], [0]]) as number), 1.5);
  });

  it("trains from an async iterable of batches", async () => {
    const model = linearModel([[0]], [0]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    async function* batches() {
      for (let i = 0; i < 3; i++) yield { x: [[1], [2]], y: [[2], [4]] };
    }
    const h = await model.fit({ [Symbol.asyncIterator]: batches }, undefined, { epochs: 2, verbose: 0 });
    assert.equal(h.history.loss.length, 2);
    assert.ok(h.history.loss[1] < h.history.loss[0]);
  });
});
