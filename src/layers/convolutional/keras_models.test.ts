/**
 * Models saved by Python Keras 3 (../shared/fixtures/keras, README there): the same architectures
 * rebuilt from keras-ts layers, loaded with Keras's weights by path, predict what Keras predicted.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose } from "../../testing/gradcheck.js";
import { Activation } from "../activations/activation.js";
import { LeakyReLU } from "../activations/leaky_relu.js";
import { Dense } from "../core/dense.js";
import type { Layer } from "../layer.js";
import { BatchNormalization } from "../normalization/batch_normalization.js";
import { AveragePooling2D } from "../pooling/average_pooling2d.js";
import { MaxPooling2D } from "../pooling/max_pooling2d.js";
import { Flatten } from "../reshaping/flatten.js";
import { Reshape } from "../reshaping/reshape.js";
import { Conv2D } from "./conv2d.js";
import { Conv2DTranspose } from "./conv2d_transpose.js";

interface KerasFixture {
  inputs: unknown[];
  outputs: unknown[];
  weights: { path: string; shape: number[]; values: unknown[] }[];
}

const DIR = new URL("../../../../shared/fixtures/keras/", import.meta.url);
const load = (name: string): KerasFixture | null => {
  const url = new URL(`${name}.json`, DIR);
  return existsSync(url) ? JSON.parse(readFileSync(url, "utf8")) : null;
};

/** Assigns every Keras weight to the variable with the same path; all must match, in Keras's order. */
function loadWeights(layers: Layer[], fixture: KerasFixture): void {
  const vars = layers.flatMap((l) => l.weights);
  assert.deepEqual(
    vars.map((v) => [v.path, v.shape]),
    fixture.weights.map((w) => [w.path, w.shape]),
  );
  vars.forEach((v, i) => {
    v.assign(toTensor(fixture.weights[i].values as number[], "float32"));
  });
}

const run = (layers: Layer[], x: Tensor | SymbolicTensor) =>
  layers.reduce<Tensor | SymbolicTensor>((h, l) => l(h as Tensor) as Tensor | SymbolicTensor, x);

describe("Keras 3 models rebuilt from keras-ts layers predict as Keras does", () => {
  const cnn = load("cnn_batchnorm");
  it("cnn_batchnorm: Conv2D same/valid+strides, BatchNormalization moving stats, pooling, Flatten, Dense", {
    skip: !cnn,
  }, () => {
    const f = cnn as KerasFixture;
    // The architecture of cnn_batchnorm.keras's config.json.
    const layers: Layer[] = [
      new Conv2D(8, [3, 3], { padding: "same", activation: "relu", name: "conv2d" }),
      new BatchNormalization({ name: "batch_normalization" }),
      new MaxPooling2D([2, 2], { name: "max_pooling2d" }),
      new Conv2D(16, [3, 3], { strides: [2, 2], name: "conv2d_1" }),
      new Activation("relu", { name: "activation" }),
      new AveragePooling2D([2, 2], { name: "average_pooling2d" }),
      new Flatten({ name: "flatten" }),
      new Dense(10, { activation: "softmax", name: "dense_6" }),
    ];
    const out = run(layers, new SymbolicTensor([null, 28, 28, 1], "float32"));
    assert.deepEqual(out.shape, [null, 10]);
    loadWeights(layers, f);
    const x = toTensor(f.inputs as number[], "float32");
    // Inference: BatchNormalization uses the moving statistics Keras learned.
    const y = run(layers, x) as Tensor;
    assertClose(y, toTensor(f.outputs as number[], "float64"), { rtol: 1e-5, atol: 1e-6 });
    // And in training mode the batch statistics give different predictions.
    const yt = layers.reduce<Tensor>((h, l) => l(h, { training: true }) as Tensor, x);
    assert.ok(Math.max(...Array.from(ops.abs(ops.subtract(yt, y)).data as Float32Array)) > 1e-3);
  });

  const gen = load("generator_transpose");
  it("generator_transpose: Dense, LeakyReLU, Reshape, Conv2DTranspose strides 2 same, upsampling, Conv2D tanh", {
    skip: !gen,
  }, () => {
    const f = gen as KerasFixture;
    // UpSampling2D (nearest, size 2) is not in keras-ts yet: the same computation with ops.repeat.
    const upsample = (h: Tensor) => ops.repeat(ops.repeat(h, 2, 1), 2, 2);
    const dense = new Dense(392, { name: "dense_11" });
    const leaky = new LeakyReLU({ negativeSlope: 0.2, name: "leaky_re_lu" });
    const reshape = new Reshape([7, 7, 8], { name: "reshape" });
    const convT = new Conv2DTranspose(8, [4, 4], { strides: [2, 2], padding: "same", name: "conv2d_transpose" });
    const conv = new Conv2D(1, [3, 3], { padding: "same", activation: "tanh", name: "conv2d_2" });
    const x = toTensor(f.inputs as number[], "float32");
    const forward = () => {
      const h = convT(reshape(leaky(dense(x)))) as Tensor;
      assert.deepEqual(h.shape, [2, 14, 14, 8]);
      return conv(upsample(h)) as Tensor;
    };
    forward(); // builds
    loadWeights([dense, leaky, reshape, convT, conv], f);
    assertClose(forward(), toTensor(f.outputs as number[], "float64"), { rtol: 1e-5, atol: 1e-6 });
  });
});
