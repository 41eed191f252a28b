// Least-squares GAN (Mao et al., 2017) on real MNIST digits: a subclassed Model whose trainStep
// runs two optimizers on explicit variable lists with GradientTape, trained by fit() so that the
// progress bar shows d_loss and g_loss. Writes a grid of samples after every epoch
// (out/lsgan/epoch_N.png, the same latent vectors each time, so the grids show the progress).
// Run: npm run example:lsgan   (env: EPOCHS, SAMPLES, BATCH, OUT)
import * as keras from "../src/index.js";
import { saveGrid } from "./image_grid.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 12);
const samples = Number(process.env.SAMPLES ?? 2000); // training digits: a 28×28 GAN on CPU is slow
const batchSize = Number(process.env.BATCH ?? 32);
const outDir = process.env.OUT ?? "out/lsgan";
const latentDim = 32;

keras.utils.setRandomSeed(7);
const [[xAll]] = keras.datasets.mnist.loadData();
const xTrain = xAll.slice([0, 0, 0], [samples, 28, 28]).reshape([samples, 28, 28, 1]); // pixels in [0, 1]

// Generator: z → Dense → Reshape 7×7 → Conv2DTranspose 14×14 → Conv2DTranspose 28×28 (sigmoid).
// Small convolutions, wide Dense layers: on a CPU the matmuls are the cheap part.
const generator = new keras.Sequential(
  [
    keras.Input({ shape: [latentDim] }),
    new layers.Dense(256, { useBias: false }),
    new layers.BatchNormalization(),
    new layers.LeakyReLU({ negativeSlope: 0.2 }),
    new layers.Dense(7 * 7 * 32, { useBias: false }),
    new layers.BatchNormalization(),
    new layers.LeakyReLU({ negativeSlope: 0.2 }),
    new layers.Reshape([7, 7, 32]),
    new layers.Conv2DTranspose(16, 4, { strides: 2, padding: "same", useBias: false }),
    new layers.BatchNormalization(),
    new layers.LeakyReLU({ negativeSlope: 0.2 }),
    new layers.Conv2DTranspose(1, 4, { strides: 2, padding: "same", activation: "sigmoid" }),
  ],
  { name: "generator" },
);

// Discriminator: two strided convolutions with dropout and a linear score (least squares: no sigmoid).
const discriminator = new keras.Sequential(
  [
    keras.Input({ shape: [28, 28, 1] }),
    new layers.Conv2D(16, 4, { strides: 2, padding: "same" }),
    new layers.LeakyReLU({ negativeSlope: 0.2 }),
    new layers.Dropout(0.3),
    new layers.Conv2D(32, 4, { strides: 2, padding: "same" }),
    new layers.LeakyReLU({ negativeSlope: 0.2 }),
    new layers.Dropout(0.3),
    new layers.Flatten(),
    new layers.Dense(1),
  ],
  { name: "discriminator" },
);

/** (a, b, c) = (0, 1, 1): D pushes real scores to 1 and fakes to 0, G pushes fakes to 1. */
class LSGAN extends keras.Model {
  // The generator learns faster than the discriminator: on this small budget D otherwise wins early.
  dOptimizer = new keras.optimizers.Adam({ learningRate: 2e-4, beta1: 0.5 });
  gOptimizer = new keras.optimizers.Adam({ learningRate: 1e-3, beta1: 0.5 });
  dLossTracker = new keras.metrics.Mean({ name: "d_loss" });
  gLossTracker = new keras.metrics.Mean({ name: "g_loss" });

  constructor(
    readonly generator: keras.Sequential,
    readonly discriminator: keras.Sequential,
  ) {
    super({ name: "lsgan" });
  }

  // Listed here, the trackers are reset by fit() every epoch and their means go to the progress bar.
  override get metrics() {
    return [this.dLossTracker, this.gLossTracker];
  }

  // fit() hands each batch as [x, y, sampleWeight]; a GAN has only x.
  override trainStep([real]: Parameters<keras.Model["trainStep"]>[0]) {
    const x = real as keras.Tensor;
    const n = x.shape[0];

    // Discriminator step: only the discriminator's variables move.
    const dVars = this.discriminator.trainableWeights;
    const fake = this.generator.apply(keras.random.normal([n, latentDim]), { training: true }) as keras.Tensor;
    const dTape = new keras.GradientTape();
    const dLoss = dTape.record(() => {
      const dReal = this.discriminator.apply(x, { training: true }) as keras.Tensor;
      const dFake = this.discriminator.apply(fake, { training: true }) as keras.Tensor;
      return ops.multiply(0.5, ops.add(ops.mean(ops.square(ops.subtract(dReal, 1))), ops.mean(ops.square(dFake))));
    });
    this.dOptimizer.apply(dTape.gradient(dLoss, dVars), dVars);

    // Generator step: gradients flow through the discriminator, but only the generator's variables move.
    const gVars = this.generator.trainableWeights;
    const gTape = new keras.GradientTape();
    const gLoss = gTape.record(() => {
      const generated = this.generator.apply(keras.random.normal([n, latentDim]), { training: true });
      const score = this.discriminator.apply(generated as keras.Tensor, { training: true }) as keras.Tensor;
      return ops.multiply(0.5, ops.mean(ops.square(ops.subtract(score, 1))));
    });
    this.gOptimizer.apply(gTape.gradient(gLoss, gVars), gVars);

    this.dLossTracker.updateState(dLoss);
    this.gLossTracker.updateState(gLoss);
    return { d_loss: Number(this.dLossTracker.result().item()), g_loss: Number(this.gLossTracker.result().item()) };
  }
}

const gan = new LSGAN(generator, discriminator);
gan.compile({}); // the optimizers live in the model; compile() only readies fit()
generator.summary();
discriminator.summary();
// The two networks' graphs, as Keras's plot_model draws them.
await keras.utils.plotModel(generator, { toFile: `${outDir}/generator.svg`, showShapes: true, showLayerNames: true });
await keras.utils.plotModel(discriminator, {
  toFile: `${outDir}/discriminator.svg`,
  showShapes: true,
  showLayerNames: true,
});

const fixedNoise = keras.random.normal([64, latentDim], { seed: 1 });
const written: string[] = [];
const start = Date.now();
const history = await gan.fit(xTrain, undefined, {
  epochs,
  batchSize,
  callbacks: [
    new keras.callbacks.LambdaCallback({
      onEpochEnd: (epoch) => {
        const path = `${outDir}/epoch_${epoch + 1}.png`;
        saveGrid(generator.predict(fixedNoise, { verbose: 0 }) as keras.Tensor, 8, path);
        written.push(path);
      },
    }),
  ],
});
const seconds = (Date.now() - start) / 1000;

const last = (k: string) => history.history[k][history.history[k].length - 1];
console.log(`final epoch: d_loss ${last("d_loss").toFixed(4)}, g_loss ${last("g_loss").toFixed(4)}`);
console.log(`trained ${epochs} epochs on ${samples} digits in ${seconds.toFixed(1)} s`);
console.log(`wrote ${written.join(", ")}`);
