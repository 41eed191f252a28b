// Weight sharing, the Keras way, on real MNIST digits.
// 1. One layer instance called on two inputs: one kernel, one bias, and the gradients of both
//    uses add up. Trained as a "same digit?" classifier on pairs of digits.
// 2. A model used as a layer (the founding document's `Container`): one feature extractor under
//    two heads (digit class, and odd/even), every weight inside shared.
// Run: npm run example:shared-weights   (EPOCHS=n to change the training length)
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const epochs = Number(process.env.EPOCHS ?? 5);
const [[xTrain, yTrain], [xTest, yTest]] = keras.datasets.mnist.loadData();
keras.utils.setRandomSeed(7);
const start = Date.now();

// Pairs of digits, half of them of the same class: [first, second, same?].
function makePairs(x: keras.Tensor, y: keras.Tensor, seed: number): [keras.Tensor, keras.Tensor, keras.Tensor] {
  const labels = y.toArray() as number[];
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((c, i) => {
    byClass[c].push(i);
  });
  let s = seed;
  const rand = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const first: number[] = [];
  const second: number[] = [];
  const same: number[] = [];
  labels.forEach((c, i) => {
    const wantSame = i % 2 === 0;
    const other = wantSame ? c : (c + 1 + rand(9)) % 10;
    first.push(i);
    second.push(byClass[other][rand(byClass[other].length)]);
    same.push(wantSame ? 1 : 0);
  });
  const idx = (a: number[]) => ops.tensor(a, "int32");
  return [ops.take(x, idx(first), 0), ops.take(x, idx(second), 0), ops.tensor(same, "float32")];
}

// ---------------------------------------------------------------- 1. one layer, two inputs
console.log("1. One Dense instance called on two inputs");
const digitA = keras.Input({ shape: [28, 28], name: "digit_a" });
const digitB = keras.Input({ shape: [28, 28], name: "digit_b" });
const flatten = new layers.Flatten();
const encoder = new layers.Dense(64, { activation: "relu", name: "shared_dense" });
const encodedA = encoder(flatten(digitA));
const encodedB = encoder(flatten(digitB)); // the same kernel and bias as encodedA
// |a - b| per feature, then a logistic "same digit?" head.
const distance = ops.abs(ops.subtract(encodedA, encodedB));
const same = new layers.Dense(1, { activation: "sigmoid", name: "same_digit" })(distance);
const siamese = new keras.Model({ inputs: [digitA, digitB], outputs: same, name: "siamese" });
siamese.summary();
console.log(
  `shared_dense weights: ${encoder.weights.map((v) => `${v.path} ${JSON.stringify(v.shape)}`).join(", ")}` +
    ` (${encoder.weights.length} variables, ${encoder.countParams()} parameters)`,
);
console.log(
  `siamese: ${siamese.weights.length} variables, ${siamese.countParams()} parameters ` +
    `(one copy of shared_dense: ${encoder.countParams()} + head ${siamese.countParams() - encoder.countParams()})`,
);

// The gradient through both uses is the sum of the gradients through each use.
const [pa, pb] = makePairs(xTest, yTest, 1);
const a8 = pa.slice([0, 0, 0], [8, 28, 28]);
const b8 = pb.slice([0, 0, 0], [8, 28, 28]);
const kernel = encoder.weights[0];
const gradOf = (f: () => keras.Tensor) => {
  const tape = new keras.GradientTape();
  const value = tape.record(f);
  return tape.gradient(value, [kernel])[0] as keras.Tensor;
};
const useA = () => ops.sum(encoder(flatten(a8)));
const useB = () => ops.sum(encoder(flatten(b8)));
const gA = gradOf(useA);
const gB = gradOf(useB);
const gBoth = gradOf(() => ops.add(useA(), useB()));
const gradDiff = ops.max(ops.abs(ops.subtract(gBoth, ops.add(gA, gB)))).item() as number;
console.log(`max |grad(both uses) - (grad(use a) + grad(use b))| on the kernel: ${gradDiff.toExponential(2)}`);

const [trainA, trainB, trainSame] = makePairs(xTrain, yTrain, 2);
const [testA, testB, testSame] = makePairs(xTest, yTest, 3);
siamese.compile({ optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"] });
await siamese.fit([trainA, trainB], trainSame, { epochs, batchSize: 128 });
const [, pairAcc] = (await siamese.evaluate([testA, testB], testSame, { verbose: 0 })) as number[];
console.log(`held-out "same digit?" accuracy: ${(pairAcc * 100).toFixed(2)}% (${testSame.shape[0]} pairs)`);

// ---------------------------------------------------------------- 2. a model as a layer
console.log("\n2. A nested model (the founding document's Container) under two heads");
const digit = keras.Input({ shape: [28, 28] });
let h = new layers.Flatten()(digit);
h = new layers.Dense(128, { activation: "relu" })(h);
h = new layers.Dense(64, { activation: "relu" })(h);
const shared = new keras.Model({ inputs: digit, outputs: h, name: "shared_layers" });

const x1 = keras.Input({ shape: [28, 28], name: "x1" });
const x2 = keras.Input({ shape: [28, 28], name: "x2" });
const classHead = new layers.Dense(10, { activation: "softmax", name: "digit_class" })(shared(x1));
const parityHead = new layers.Dense(2, { activation: "softmax", name: "odd_even" })(shared(x2));
const classifier = new keras.Model({ inputs: x1, outputs: classHead, name: "classifier" });
const parity = new keras.Model({ inputs: x2, outputs: parityHead, name: "parity" });
classifier.summary();
parity.summary();

const distinct = new Set([...classifier.weights, ...parity.weights]);
const sharedVars = classifier.weights.filter((v) => parity.weights.includes(v));
console.log(
  `shared_layers: ${shared.weights.length} variables, ${shared.countParams()} parameters; ` +
    `classifier: ${classifier.weights.length} variables, parity: ${parity.weights.length} variables; ` +
    `${sharedVars.length} variables are the same objects in both, ${distinct.size} distinct in all`,
);

// Train the shared features with the digit head, then only the parity head on top of them.
classifier.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
await classifier.fit(xTrain, yTrain, { epochs, batchSize: 128 });
const [, classAcc] = (await classifier.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`held-out digit accuracy: ${(classAcc * 100).toFixed(2)}%`);

const before = shared.getWeights()[0];
shared.trainable = false; // freezes the shared features in every model that uses them
parity.compile({
  optimizer: new keras.optimizers.Adam(0.01),
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
});
console.log(`parity trainable variables with shared_layers frozen: ${parity.trainableWeights.length}`);
const parityLabels = (y: keras.Tensor) => ops.mod(y, 2);
await parity.fit(xTrain, parityLabels(yTrain), { epochs, batchSize: 128 });
const [, parityAcc] = (await parity.evaluate(xTest, parityLabels(yTest), { verbose: 0 })) as number[];
const moved = ops.max(ops.abs(ops.subtract(shared.getWeights()[0], before))).item() as number;
console.log(`held-out odd/even accuracy from the digit features: ${(parityAcc * 100).toFixed(2)}%`);
console.log(`shared kernel change while training the parity head: ${moved}`);
// The graphs, as Keras's plot_model draws them: the shared Dense has two inbound edges, and the
// nested model appears as one box (or expanded).
await keras.utils.plotModel(siamese, {
  toFile: "out/shared-weights/siamese.svg",
  showShapes: true,
  showLayerNames: true,
});
await keras.utils.plotModel(classifier, {
  toFile: "out/shared-weights/classifier.svg",
  showShapes: true,
  showLayerNames: true,
  expandNested: true,
});
console.log("wrote out/shared-weights/siamese.svg and classifier.svg");
console.log(`total time ${((Date.now() - start) / 1000).toFixed(1)} s`);
