// BEGAN (Berthelot et al., 2017) on real MNIST digits: the discriminator is an autoencoder, and the
// balance variable k lives in the discriminator's loss, a keras.losses.Loss subclass that assigns
//   k ← clip(k + λk (γ L(x) − L(G(z))), 0, 1)
// every time it is called, and records the convergence measure M-global = L(x) + |γ L(x) − L(G(z))|.
// The custom trainStep returns both, so the progress bar shows them. Writes a grid of samples after
// every epoch (out/began/epoch_N.png, the same latent vectors each time).
// Run: npm run example:began   (env: EPOCHS, SAMPLES, BATCH, GAMMA, LAMBDA_K, OUT)
import * as keras from "../src/index.js";
import { saveGrid } from "./image_grid.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 6);
const samples = Number(process.env.SAMPLES ?? 2000);
const batchSize = Number(process.env.BATCH ?? 32);
const gamma = Number(process.env.GAMMA ?? 0.5); // diversity ratio γ = E[L(G(z))] / E[L(x)] at equilibrium
// Learning rate of k: the paper uses 0.001 over hundreds of thousands of steps; a short CPU run needs k
// to react within an epoch, or the generator settles on blank images that the autoencoder reconstructs.
const lambdaK = Number(process.env.LAMBDA_K ?? 0.05);
const outDir = process.env.OUT ?? "out/began";
const latentDim = 32;

keras.utils.setRandomSeed(3);
const [[xAll]] = keras.datasets.mnist.loadData();
const xTrain = xAll.slice([0, 0, 0], [samples, 28, 28]).reshape([samples, 28, 28, 1]);

/** The paper's decoder, small: h → 7×7 → 14×14 → 28×28 (nearest-neighbour upsampling, ELU convolutions). */
function decoder(name: string): keras.Sequential {
  return new keras.Sequential(
    [
      keras.Input({ shape: [latentDim] }),
      new layers.Dense(7 * 7 * 16, { activation: "elu" }),
      new layers.Reshape([7, 7, 16]),
      new layers.UpSampling2D(2),
      new layers.Conv2D(16, 3, { padding: "same", activation: "elu" }),
      new layers.UpSampling2D(2),
      new layers.Conv2D(1, 3, { padding: "same", activation: "sigmoid" }),
    ],
    { name },
  );
}

const generator = decoder("generator");
// The discriminator is an autoencoder: an encoder to h, then a decoder of the generator's shape.
const discriminator = new keras.Sequential(
  [
    keras.Input({ shape: [28, 28, 1] }),
    new layers.Conv2D(16, 3, { strides: 2, padding: "same", activation: "elu" }),
    new layers.Conv2D(32, 3, { strides: 2, padding: "same", activation: "elu" }),
    new layers.Flatten(),
    new layers.Dense(latentDim),
    decoder("discriminator_decoder"),
  ],
  { name: "discriminator" },
);

/**
 * L_D = L(x) − k·L(G(z)) per sample, where L(v) = mean |v − D(v)|. y_true holds the real and the
 * generated images stacked on the channel axis, y_pred their reconstructions (as the Keras 2 BEGAN
 * implementations did). State: k and M-global, non-trainable variables assigned on every call.
 */
class DiscriminatorLoss extends keras.losses.Loss {
  k = new keras.Variable(0, { trainable: false, name: "k" });
  mGlobal = new keras.Variable(0, { trainable: false, name: "m_global" });

  constructor(
    readonly gamma: number,
    readonly lambdaK: number,
  ) {
    super({ name: "discriminator_loss" });
  }

  // Used eagerly here, so the arguments are concrete tensors.
  override call(yTrue: keras.Tensor, yPred: keras.Tensor) {
    const [real, generated] = ops.split(yTrue, 2, -1);
    const [realRec, generatedRec] = ops.split(yPred, 2, -1);
    const lossReal = ops.mean(ops.abs(ops.subtract(real, realRec)), [1, 2, 3]);
    const lossGenerated = ops.mean(ops.abs(ops.subtract(generated, generatedRec)), [1, 2, 3]);
    const perSample = ops.subtract(lossReal, ops.multiply(this.k.value, lossGenerated));

    // The updates of k and M-global are bookkeeping: no gradient flows through them.
    const meanReal = ops.stopGradient(ops.mean(lossReal));
    const balance = ops.subtract(ops.multiply(this.gamma, meanReal), ops.stopGradient(ops.mean(lossGenerated)));
    this.k.assign(ops.clip(ops.add(this.k.value, ops.multiply(this.lambdaK, balance)), 0, 1));
    this.mGlobal.assign(ops.add(meanReal, ops.abs(balance)));
    return perSample;
  }
}

class BEGAN extends keras.Model {
  dLossFn = new DiscriminatorLoss(gamma, lambdaK);
  dOptimizer = new keras.optimizers.Adam({ learningRate: 5e-4 });
  gOptimizer = new keras.optimizers.Adam({ learningRate: 5e-4 });
  mGlobalTracker = new keras.metrics.Mean({ name: "m_global" });
  dLossTracker = new keras.metrics.Mean({ name: "d_loss" });
  gLossTracker = new keras.metrics.Mean({ name: "g_loss" });

  constructor(
    readonly generator: keras.Sequential,
    readonly discriminator: keras.Sequential,
  ) {
    super({ name: "began" });
  }

  // Reset by fit() every epoch: the progress bar shows epoch means.
  override get metrics() {
    return [this.mGlobalTracker, this.dLossTracker, this.gLossTracker];
  }

  override trainStep([real]: Parameters<keras.Model["trainStep"]>[0]) {
    const x = real as keras.Tensor;
    const n = x.shape[0];

    // Discriminator: reconstruct real digits well and generated ones badly (weighted by k).
    const fake = this.generator.apply(keras.random.normal([n, latentDim]), { training: true }) as keras.Tensor;
    const dVars = this.discriminator.trainableWeights;
    const dTape = new keras.GradientTape();
    const dLoss = dTape.record(() => {
      const recReal = this.discriminator.apply(x, { training: true }) as keras.Tensor;
      const recFake = this.discriminator.apply(fake, { training: true }) as keras.Tensor;
      return this.dLossFn(ops.concatenate([x, fake], -1), ops.concatenate([recReal, recFake], -1));
    });
    this.dOptimizer.apply(dTape.gradient(dLoss, dVars), dVars);

    // Generator: make digits the discriminator reconstructs well.
    const gVars = this.generator.trainableWeights;
    const gTape = new keras.GradientTape();
    const gLoss = gTape.record(() => {
      const generated = this.generator.apply(keras.random.normal([n, latentDim]), { training: true }) as keras.Tensor;
      return ops.mean(ops.abs(ops.subtract(generated, this.discriminator.apply(generated) as keras.Tensor)));
    });
    this.gOptimizer.apply(gTape.gradient(gLoss, gVars), gVars);

    this.mGlobalTracker.updateState(this.dLossFn.mGlobal.peek());
    this.dLossTracker.updateState(dLoss);
    this.gLossTracker.updateState(gLoss);
    const logs: Record<string, number> = {};
    for (const m of this.metrics) logs[m.name] = Number(m.result().item());
    logs.k = Number(this.dLossFn.k.peek().item());
    return logs;
  }
}

const began = new BEGAN(generator, discriminator);
began.compile({}); // the optimizers live in the model; compile() only readies fit()

const fixedNoise = keras.random.normal([64, latentDim], { seed: 1 });
const written: string[] = [];
const start = Date.now();
const history = await began.fit(xTrain, undefined, {
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

const h = history.history;
const ks = h.k.map((v) => v.toFixed(6)).join(", ");
console.log(`k per epoch: ${ks}`);
console.log(`M-global per epoch: ${h.m_global.map((v) => v.toFixed(4)).join(", ")}`);
console.log(`final epoch: d_loss ${h.d_loss.at(-1)?.toFixed(4)}, g_loss ${h.g_loss.at(-1)?.toFixed(4)}`);
console.log(`trained ${epochs} epochs on ${samples} digits in ${seconds.toFixed(1)} s`);
console.log(`wrote ${written.join(", ")}`);
