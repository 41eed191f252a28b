// The founding document's Lambda trick: split a 10-vector into two halves inside a model. Keras
// wrote it with Lambda and an output shape; keras-ts accepts that, infers the shape by tracing when
// it is left out, and lets plain ops work on symbolic tensors as well.
// Run: npm run example:lambda-split
import * as keras from "../src/index.js";

const { layers, ops } = keras;

const inputs = keras.Input({ shape: [10], name: "vector" });

// 1. Lambda with outputShape as Keras takes it: an array without the batch axis ...
const firstHalf = new layers.Lambda((t: keras.Tensor) => ops.split(t, 2, 1)[0], {
  outputShape: [5],
  name: "first_half_array",
})(inputs);
// ... or a function of the full input shape (batch axis included).
const secondHalf = new layers.Lambda((t: keras.Tensor) => ops.split(t, 2, 1)[1], {
  outputShape: (s) => [(s as (number | null)[])[0], 5],
  name: "second_half_fn",
})(inputs);
// 2. Lambda with no outputShape: the shape is inferred by tracing the function.
const tracedHalf = new layers.Lambda((t: keras.Tensor) => ops.split(t, 2, 1)[1], { name: "second_half_traced" })(
  inputs,
);
// 3. No Lambda at all: ops and tensor methods accept symbolic tensors directly.
const [opsFirst, opsSecond] = ops.split(inputs, 2, 1);
const sliced = inputs.slice([0, 5], [-1, 5]);

const outputs = { firstHalf, secondHalf, tracedHalf, opsFirst, opsSecond, sliced };
for (const [name, t] of Object.entries(outputs)) console.log(`${name}: symbolic shape ${JSON.stringify(t.shape)}`);

const model = new keras.Model({ inputs, outputs, name: "lambda_split" });
model.summary();

// Two rows: 0..9 and 10..19.
const x = ops.reshape(ops.arange(0, 20, 1, "float32"), [2, 10]);
const y = model.predict(x);
for (const [name, t] of Object.entries(y)) {
  console.log(`${name}: shape ${JSON.stringify(t.shape)} values ${JSON.stringify(t.toArray())}`);
}
const agree = ops.all(ops.equal(y.secondHalf, y.sliced)).item() && ops.all(ops.equal(y.firstHalf, y.opsFirst)).item();
console.log(`Lambda and plain ops agree: ${agree}`);
