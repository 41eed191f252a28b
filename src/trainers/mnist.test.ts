import assert from "node:assert/strict";
import { it } from "node:test";
import { loadData } from "../datasets/mnist.js";
import { Flatten } from "../layers/reshaping/flatten.js";
import { Input } from "../layers/core/input_layer.js";
import { Dense } from "../layers/core/dense.js";
import { Model } from "../models/model.js";
import * as ops from "../ops/index.js";
import { Adam } from "../optimizers/index.js";
import { setRandomSeed } from "../random/index.js";

it("a small MLP reaches at least 94% held-out accuracy on 8,000 real MNIST digits", async () => {
  const [[x, y], [xTest, yTest]] = loadData();
  assert.deepEqual(x.shape, [8000, 28, 28]);
  assert.deepEqual(xTest.shape, [2000, 28, 28]);
  setRandomSeed(1);
  const inputs = Input({ shape: [28, 28] });
  const hidden = new Dense(512, { activation: "relu" })(new Flatten()(inputs));
  const model = new Model({ inputs, outputs: new Dense(10, { activation: "softmax" })(hidden) });
  model.compile({ optimizer: new Adam({ learningRate: 0.002 }), loss: "sparse_categorical_crossentropy" });
  const history = await model.fit(x, y, { epochs: 10, batchSize: 128, verbose: 0 });
  assert.ok(history.history.loss[9] < history.history.loss[0] / 5);
  const predicted = ops.argmax(model.predict(xTest), -1);
  const accuracy = ops.mean(ops.cast(ops.equal(predicted, yTest), "float32")).item() as number;
  assert.ok(accuracy >= 0.94, `held-out accuracy ${accuracy}`);
});
