// Convolutional autoencoder on real MNIST digits: Conv2D/MaxPooling2D down to 7×7×8, UpSampling2D
// back up to 28×28, trained to reproduce its input. Writes held-out digits (top row) above their
// reconstructions (bottom row) as one PNG (out/conv-autoencoder/reconstructions.png).
// Run: npm run example:conv-autoencoder   (env: EPOCHS, SAMPLES, SHOW, OUT)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encode } from "fast-png";
import * as keras from "../src/index.js";

const { layers } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const samples = Number(process.env.SAMPLES ?? 4000);
const show = Number(process.env.SHOW ?? 10); // digits in the PNG
const outFile = `${process.env.OUT ?? "out/conv-autoencoder"}/reconstructions.png`;

keras.utils.setRandomSeed(5);
const [[xAll], [xTestAll]] = keras.datasets.mnist.loadData();
const xTrain = xAll.slice([0, 0, 0], [samples, 28, 28]).reshape([samples, 28, 28, 1]);
const xTest = xTestAll.reshape([xTestAll.shape[0], 28, 28, 1]);

const inputs = keras.Input({ shape: [28, 28, 1], name: "digit" });
let x = new layers.Conv2D(16, 3, { activation: "relu", padding: "same" })(inputs);
x = new layers.MaxPooling2D(2, { padding: "same" })(x);
x = new layers.Conv2D(8, 3, { activation: "relu", padding: "same" })(x);
const encoded = new layers.MaxPooling2D(2, { padding: "same", name: "code" })(x); // 7×7×8: 392 numbers for 784 pixels
x = new layers.Conv2D(8, 3, { activation: "relu", padding: "same" })(encoded);
x = new layers.UpSampling2D(2)(x);
x = new layers.Conv2D(16, 3, { activation: "relu", padding: "same" })(x);
x = new layers.UpSampling2D(2)(x);
const decoded = new layers.Conv2D(1, 3, { activation: "sigmoid", padding: "same" })(x);
const autoencoder = new keras.Model({ inputs, outputs: decoded, name: "conv_autoencoder" });
autoencoder.summary();

autoencoder.compile({ optimizer: "adam", loss: "binary_crossentropy", metrics: ["mae"] });
const start = Date.now();
await autoencoder.fit(xTrain, xTrain, { epochs, batchSize: 64, validationData: [xTest, xTest] });
const seconds = (Date.now() - start) / 1000;
const [loss, mae] = (await autoencoder.evaluate(xTest, xTest, { verbose: 0 })) as number[];
console.log(`held-out reconstruction: binary crossentropy ${loss.toFixed(4)}, mean absolute error ${mae.toFixed(4)}`);
console.log(`trained ${epochs} epochs on ${samples} digits in ${seconds.toFixed(1)} s`);

// Originals above, reconstructions below, 2-pixel gaps.
const originals = xTest.slice([0, 0, 0, 0], [show, 28, 28, 1]);
const reconstructions = autoencoder.predict(originals, { verbose: 0 }) as keras.Tensor;
const width = show * 30 + 2;
const height = 2 * 30 + 2;
const pixels = new Uint8Array(width * height);
for (const [row, images] of [originals, reconstructions].entries()) {
  for (let i = 0; i < show; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = Math.min(1, Math.max(0, images.data[(i * 28 + r) * 28 + c]));
        pixels[(2 + row * 30 + r) * width + 2 + i * 30 + c] = Math.round(v * 255);
      }
    }
  }
}
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, encode({ width, height, data: pixels, channels: 1, depth: 8 }));
console.log(`wrote ${outFile} (${width}×${height}: ${show} held-out digits above their reconstructions)`);
