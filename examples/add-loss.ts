// A loss term added from outside any layer (the founding document's add_loss from a non-layer):
// model.addLoss takes a symbolic expression of the model's tensors, computes it on every forward
// pass, and adds it to the loss that is minimized and shown in the progress bar. The same MNIST
// classifier is trained with and without an activity penalty on its hidden layer.
// Run: npm run example:add-loss   (EPOCHS=n to change the training length)
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();

function build(penalty: boolean) {
  keras.utils.setRandomSeed(5); // both models start from the same weights
  const inputs = keras.Input({ shape: [28, 28] });
  const hidden = new layers.Dense(128, { activation: "relu" })(new layers.Flatten()(inputs));
  const outputs = new layers.Dense(10, { activation: "softmax" })(hidden);
  const model = new keras.Model({ inputs, outputs, name: penalty ? "with_add_loss" : "without_add_loss" });
  if (penalty) model.addLoss(ops.multiply(0.01, ops.mean(ops.square(hidden))));
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  // A second model on the same graph, to look at the hidden activations.
  const features = new keras.Model({ inputs, outputs: hidden });
  return { model, features };
}

const plain = build(false);
const penalized = build(true);
const penaltyOf = (features: keras.Model) =>
  0.01 * (ops.mean(ops.square(features.predict(xTest) as keras.Tensor)).item() as number);

// Before training: same weights, so the logged losses differ by exactly the added term.
const [lossPlain] = (await plain.model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const [lossPenalized] = (await penalized.model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(
  `before training: loss without addLoss ${lossPlain.toFixed(6)}, with ${lossPenalized.toFixed(6)}, ` +
    `difference ${(lossPenalized - lossPlain).toFixed(6)}, 0.01 * mean(hidden^2) by hand ${penaltyOf(penalized.features).toFixed(6)}`,
);

const start = Date.now();
console.log("\ntraining without addLoss:");
const hPlain = await plain.model.fit(xTrain, yTrain, { epochs, batchSize: 128 });
console.log("\ntraining with addLoss (the progress bar's loss includes the penalty):");
const hPenalized = await penalized.model.fit(xTrain, yTrain, { epochs, batchSize: 128 });
const seconds = (Date.now() - start) / 1000;

const fmt = (xs: number[]) => xs.map((v) => v.toFixed(4)).join(", ");
console.log(`\nlogged loss per epoch without addLoss: ${fmt(hPlain.history.loss)}`);
console.log(`logged loss per epoch with addLoss:    ${fmt(hPenalized.history.loss)}`);
for (const [name, m] of [
  ["without addLoss", plain],
  ["with addLoss", penalized],
] as const) {
  const [loss, acc] = (await m.model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
  console.log(
    `${name}: held-out loss ${loss.toFixed(4)}, accuracy ${(acc * 100).toFixed(2)}%, ` +
      `0.01 * mean(hidden^2) ${penaltyOf(m.features).toFixed(4)}`,
  );
}
console.log(`trained 2 x ${epochs} epochs in ${seconds.toFixed(1)} s`);
