// One MNIST classifier written twice: as a Sequential stack and with the functional API. Both have
// the same layers and parameter count; after the Sequential one is trained, its weights are copied
// into the functional one (getWeights/setWeights) and both predict the same probabilities.
// Run: npm run example:sequential-vs-functional   (EPOCHS=n to change the training length)
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();
keras.utils.setRandomSeed(1);

// Sequential: a list of layers, the input shape given by a keras.Input first.
const sequential = new keras.Sequential(
  [
    keras.Input({ shape: [28, 28] }),
    new layers.Flatten(),
    new layers.Dense(128, { activation: "relu" }),
    new layers.Dense(64, { activation: "relu" }),
    new layers.Dense(10, { activation: "softmax" }),
  ],
  { name: "sequential_mlp" },
);

// Functional: LayerInstance(InputTensor) -> OutputTensor.
const inputs = keras.Input({ shape: [28, 28] });
let x = new layers.Flatten()(inputs);
x = new layers.Dense(128, { activation: "relu" })(x);
x = new layers.Dense(64, { activation: "relu" })(x);
const outputs = new layers.Dense(10, { activation: "softmax" })(x);
const functional = new keras.Model({ inputs, outputs, name: "functional_mlp" });

sequential.summary();
functional.summary();
console.log(`parameters: sequential ${sequential.countParams()}, functional ${functional.countParams()}`);

sequential.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
const start = Date.now();
await sequential.fit(xTrain, yTrain, { epochs, batchSize: 128, validationSplit: 0.1 });
const seconds = (Date.now() - start) / 1000;

// Same weights, in the same order: kernel and bias of each Dense.
functional.setWeights(sequential.getWeights());
functional.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });

const pSeq = sequential.predict(xTest);
const pFun = functional.predict(xTest);
const maxDiff = ops.max(ops.abs(ops.subtract(pSeq, pFun))).item() as number;
console.log(`max |sequential - functional| over ${xTest.shape[0]} test predictions: ${maxDiff}`);

const [lossSeq, accSeq] = (await sequential.evaluate(xTest, yTest, { verbose: 0 })) as number[];
const [lossFun, accFun] = (await functional.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`held-out sequential: loss ${lossSeq.toFixed(4)}, accuracy ${(accSeq * 100).toFixed(2)}%`);
console.log(`held-out functional: loss ${lossFun.toFixed(4)}, accuracy ${(accFun * 100).toFixed(2)}%`);
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s`);
