// Virtual adversarial training (Miyato et al., 2018) on real MNIST digits: 100 labelled digits (10 of
// each) and the rest of the 8,000 training digits unlabelled. The VAT loss needs, inside the loss, the
// gradient of a KL divergence with respect to an input perturbation (keras.grad, nested under the
// training step's GradientTape); that gradient is cut from the graph (stopGradient) and normalized
// into the adversarial direction. Prints held-out accuracy against the same MLP trained on the 100
// labels alone.
// Run: npm run example:vat   (env: EPOCHS, BASELINE_EPOCHS, UNLABELLED, EPSILON, XI, ALPHA)
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 20);
const baselineEpochs = Number(process.env.BASELINE_EPOCHS ?? 200); // 100 digits: 4 steps an epoch
const unlabelledCount = Number(process.env.UNLABELLED ?? 7900);
const epsilon = Number(process.env.EPSILON ?? 1); // L2 radius of the adversarial perturbation (pixels in [0, 1])
const xi = Number(process.env.XI ?? 0.1); // finite-difference step of the power iteration
const alpha = Number(process.env.ALPHA ?? 1); // weight of the VAT term
const labelled = 100;

keras.utils.setRandomSeed(11);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();
const flat = (x: keras.Tensor) => x.reshape([x.shape[0], 784]);
// The training set interleaves the digits 0, 1, ..., 9, so its first 100 hold 10 of each.
const xLabelled = flat(xTrain.slice([0, 0, 0], [labelled, 28, 28]));
const yLabelled = yTrain.slice([0], [labelled]);
const xUnlabelled = flat(xTrain.slice([labelled, 0, 0], [unlabelledCount, 28, 28])); // labels never used
const xHeldOut = flat(xTest);

function mlp(name: string): keras.Sequential {
  return new keras.Sequential(
    [
      keras.Input({ shape: [784] }),
      new layers.Dense(256, { activation: "relu" }),
      new layers.Dense(128, { activation: "relu" }),
      new layers.Dense(10), // logits
    ],
    { name },
  );
}

function accuracy(model: keras.Model): number {
  const predicted = ops.argmax(model.predict(xHeldOut, { verbose: 0 }) as keras.Tensor, -1);
  return Number(ops.mean(ops.cast(ops.equal(predicted, yTest), "float32")).item());
}

/** Mean over the batch of KL(softmax(p) ‖ softmax(q)), from logits. */
function klDivergence(pLogits: keras.Tensor, qLogits: keras.Tensor): keras.Tensor {
  const logP = ops.logSoftmax(pLogits);
  return ops.mean(ops.sum(ops.multiply(ops.exp(logP), ops.subtract(logP, ops.logSoftmax(qLogits))), -1));
}

/** Each row scaled to unit L2 norm. */
function l2Normalize(d: keras.Tensor): keras.Tensor {
  return ops.divide(d, ops.add(ops.sqrt(ops.sum(ops.square(d), -1, true)), 1e-12));
}

// Baseline: the same MLP on the 100 labels alone.
keras.utils.setRandomSeed(11);
const baseline = mlp("supervised_only");
baseline.compile({
  optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }),
  loss: new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
});
let start = Date.now();
await baseline.fit(xLabelled, yLabelled, { epochs: baselineEpochs, batchSize: 32, verbose: 0 });
const baselineAccuracy = accuracy(baseline);
console.log(`supervised only (100 labels): held-out accuracy ${(baselineAccuracy * 100).toFixed(2)}%`);
console.log(`  trained ${baselineEpochs} epochs on 100 digits in ${((Date.now() - start) / 1000).toFixed(1)} s`);

class VAT extends keras.Model {
  lossTracker = new keras.metrics.Mean({ name: "loss" });
  ceTracker = new keras.metrics.Mean({ name: "ce" });
  vatTracker = new keras.metrics.Mean({ name: "vat" });

  constructor(readonly classifier: keras.Sequential) {
    super({ name: "vat" });
  }

  override get metrics() {
    return [this.lossTracker, this.ceTracker, this.vatTracker];
  }

  /** Local distributional smoothness: KL between the predictions at x and at x + r_adv. */
  vatLoss(x: keras.Tensor): keras.Tensor {
    const logits = ops.stopGradient(this.classifier.apply(x, { training: true }) as keras.Tensor);
    // One power iteration: the gradient of the KL at a small random perturbation ξd points along the
    // dominant eigenvector of its Hessian, the direction the prediction is most sensitive to.
    const d = ops.multiply(xi, l2Normalize(keras.random.normal(x.shape)));
    const g = keras.grad((r: keras.Tensor) =>
      klDivergence(logits, this.classifier.apply(ops.add(x, r)) as keras.Tensor),
    )(d) as keras.Tensor;
    const rAdv = ops.multiply(epsilon, l2Normalize(ops.stopGradient(g)));
    return klDivergence(logits, this.classifier.apply(ops.add(x, rAdv), { training: true }) as keras.Tensor);
  }

  override trainStep([unlabelledBatch]: Parameters<keras.Model["trainStep"]>[0]) {
    const xu = unlabelledBatch as keras.Tensor;
    // fit() walks the unlabelled digits; each step also draws 32 of the 100 labelled ones.
    const pick = keras.random.randint([32], 0, labelled);
    const xl = ops.take(xLabelled, pick, 0);
    const yl = ops.take(yLabelled, pick, 0);
    const vars = this.classifier.trainableWeights;
    const tape = new keras.GradientTape();
    const [loss, ce, vat] = tape.record(() => {
      const logits = this.classifier.apply(xl, { training: true }) as keras.Tensor;
      const ce = ops.mean(ops.sparseCategoricalCrossentropy(yl, logits, true));
      const vat = this.vatLoss(xu);
      return [ops.add(ce, ops.multiply(alpha, vat)), ce, vat];
    });
    this.optimizer?.apply(tape.gradient(loss, vars), vars); // the optimizer given to compile()
    this.lossTracker.updateState(loss);
    this.ceTracker.updateState(ce);
    this.vatTracker.updateState(vat);
    const logs: Record<string, number> = {};
    for (const m of this.metrics) logs[m.name] = Number(m.result().item());
    return logs;
  }
}

keras.utils.setRandomSeed(11);
const vatModel = new VAT(mlp("vat_classifier"));
vatModel.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }) });
start = Date.now();
const history = await vatModel.fit(xUnlabelled, undefined, { epochs, batchSize: 128 });
const vatSeconds = (Date.now() - start) / 1000;
const vatAccuracy = accuracy(vatModel.classifier);
console.log(
  `VAT (100 labels + ${unlabelledCount} unlabelled): held-out accuracy ${(vatAccuracy * 100).toFixed(2)}% (ε ${epsilon}, ξ ${xi})`,
);
console.log(`  trained ${epochs} epochs in ${vatSeconds.toFixed(1)} s`);
console.log(`VAT term on the last epoch: ${history.history.vat.at(-1)?.toPrecision(4)}`);
console.log(
  `held-out accuracy on ${xTest.shape[0]} digits: supervised only ${(baselineAccuracy * 100).toFixed(2)}%, VAT ${(vatAccuracy * 100).toFixed(2)}%`,
);
