// A custom loss is a function that returns one value per sample, as the founding document's
// generator_loss does; reduction and sample weights are the library's job. Here it trains a small
// MNIST autoencoder with sample weights that keep only the digits 0-4, and the weighted losses are
// checked against the per-sample values computed by hand.
// Run: npm run example:custom-loss   (EPOCHS=n to change the training length)
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();
keras.utils.setRandomSeed(3);
const images = (x: keras.Tensor) => ops.reshape(x, [x.shape[0], 28, 28, 1]);
const [trainImages, testImages] = [images(xTrain), images(xTest)];

// The founding document's generator_loss: mean absolute error over every axis but the batch one.
// (Typed as keras.losses.LossFunction: compile() hands it the model's tensors.)
const generatorLoss: keras.losses.LossFunction = (yTrue, yPred) =>
  ops.mean(ops.abs(ops.subtract(yPred, yTrue)), [1, 2, 3]);

const inputs = keras.Input({ shape: [28, 28, 1], name: "image" });
let x = new layers.Flatten()(inputs);
x = new layers.Dense(64, { activation: "relu" })(x);
x = new layers.Dense(784, { activation: "sigmoid" })(x);
const outputs = new layers.Reshape([28, 28, 1])(x);
const autoencoder = new keras.Model({ inputs, outputs, name: "autoencoder" });
autoencoder.compile({ optimizer: "adam", loss: generatorLoss });

console.log(
  `generatorLoss on 4 images gives shape ${JSON.stringify(generatorLoss(testImages.slice([0, 0, 0, 0], [4, 28, 28, 1]), ops.zeros([4, 28, 28, 1])).shape)} (one value per sample)`,
);

// Sample weights: 1 for the digits 0-4, 0 for 5-9, so only the low digits teach the model.
const lowDigits = (y: keras.Tensor) => ops.cast(ops.less(y, 5), "float32");
const start = Date.now();
await autoencoder.fit(trainImages, trainImages, { epochs, batchSize: 128, sampleWeight: lowDigits(yTrain) });
const seconds = (Date.now() - start) / 1000;

// Per-sample losses by hand, on the held-out digits.
const perSample = generatorLoss(testImages, autoencoder.predict(testImages)) as keras.Tensor;
const wLow = lowDigits(yTest);
const wHigh = ops.subtract(1, wLow);
const meanWhere = (w: keras.Tensor) =>
  (ops.sum(ops.multiply(perSample, w)).item() as number) / (ops.sum(w).item() as number);
console.log(
  `held-out reconstruction error: digits 0-4 (weighted 1 in training) ${meanWhere(wLow).toFixed(4)}, digits 5-9 (weighted 0) ${meanWhere(wHigh).toFixed(4)}`,
);

// evaluate() reduces as Keras does ("sum_over_batch_size"): mean over samples of loss * weight.
const n = xTest.shape[0];
const byHand = (w: keras.Tensor | number) => (ops.sum(ops.multiply(perSample, w)).item() as number) / n;
const evaluate = async (sampleWeight?: keras.Tensor) =>
  (await autoencoder.evaluate(testImages, testImages, { verbose: 0, sampleWeight, batchSize: 500 })) as number;
const rows: [string, number, number][] = [
  ["no weights", await evaluate(), byHand(1)],
  ["all weights 2", await evaluate(ops.fullLike(wLow, 2)), byHand(2)],
  ["weights 1 for 0-4, 0 for 5-9", await evaluate(wLow), byHand(wLow)],
];
for (const [what, got, want] of rows) {
  console.log(`evaluate, ${what}: loss ${got.toFixed(6)} (by hand ${want.toFixed(6)})`);
}
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s`);
