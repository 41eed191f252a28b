// Every layer class of the catalogue (each class exported from src/layers/index.ts) survives a
// .keras round trip inside keras-ts: same config, and predictions equal to the last bit.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import type { DType } from "../backend/dtypes.js";
import { Tensor } from "../backend/tensor.js";
import * as keras from "../index.js";
import * as layersModule from "../layers/index.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../models/model.js";
import { registerKerasSerializable } from "./index.js";
import { loadModel } from "./saving_api.js";

const { layers, ops } = keras;
const tmp = mkdtempSync(join(tmpdir(), "keras-ts-catalogue-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const halveForCatalogue = registerKerasSerializable(
  function halveForCatalogue(t: keras.SymbolicTensor | Tensor) {
    return ops.multiply(t, 0.5);
  },
  { package: "catalogue_test" },
);

interface InputDef {
  shape: number[];
  dtype?: DType;
  /** Integer inputs are drawn from [0, intRange). */
  intRange?: number;
}

interface Case {
  /** The layer under test (a fresh instance per call). */
  make: () => Layer;
  inputs: InputDef[];
  /** How the layer is called on the model's inputs (default: the one input, or the list of inputs). */
  call?: (layer: Layer, xs: keras.SymbolicTensor[]) => unknown;
}

/** Exported classes that are not layers a user instantiates (abstract bases, or made by keras.Input). */
const NOT_INSTANTIATED: Record<string, string> = {
  Layer: "the base class (every case below is one of its subclasses)",
  InputLayer: "made by keras.Input in every model of this file",
  Merge: "abstract base of the merging layers",
  BaseConv: "abstract base",
  BaseConvTranspose: "abstract base",
  BaseDepthwiseConv: "abstract base",
  BaseSeparableConv: "abstract base",
  BasePooling: "abstract base",
  BaseGlobalPooling: "abstract base",
  BaseSpatialDropout: "abstract base",
  BaseZeroPadding: "abstract base",
  BaseCropping: "abstract base",
  DropoutRNNCell: "abstract base of the RNN cells",
};

const one = (shape: number[]): InputDef[] => [{ shape }];
const two = (a: number[], b: number[] = a): InputDef[] => [{ shape: a }, { shape: b }];

/** One small case per layer class. A class exported from layers/index.ts and missing here fails the test. */
const CASES: Record<string, Case> = {
  Dense: { make: () => new layers.Dense(3, { activation: "relu" }), inputs: one([4]) },
  Lambda: { make: () => new layers.Lambda(halveForCatalogue), inputs: one([4]) },
  Identity: { make: () => new layers.Identity(), inputs: one([4]) },
  Embedding: { make: () => new layers.Embedding(7, 3), inputs: [{ shape: [5], dtype: "int32", intRange: 7 }] },
  Dropout: { make: () => new layers.Dropout(0.5, { seed: 3 }), inputs: one([4]) },
  Flatten: { make: () => new layers.Flatten(), inputs: one([2, 3]) },
  Reshape: { make: () => new layers.Reshape([3, 2]), inputs: one([6]) },
  Permute: { make: () => new layers.Permute([2, 1]), inputs: one([2, 3]) },
  RepeatVector: { make: () => new layers.RepeatVector(3), inputs: one([4]) },
  Concatenate: { make: () => new layers.Concatenate({ axis: -1 }), inputs: two([3], [2]) },
  Add: { make: () => new layers.Add(), inputs: two([4]) },
  Subtract: { make: () => new layers.Subtract(), inputs: two([4]) },
  Multiply: { make: () => new layers.Multiply(), inputs: two([4]) },
  Average: { make: () => new layers.Average(), inputs: [{ shape: [4] }, { shape: [4] }, { shape: [4] }] },
  Maximum: { make: () => new layers.Maximum(), inputs: two([4]) },
  Minimum: { make: () => new layers.Minimum(), inputs: two([4]) },
  Dot: { make: () => new layers.Dot(1, { normalize: true }), inputs: two([4]) },
  Activation: { make: () => new layers.Activation("tanh"), inputs: one([4]) },
  ReLU: { make: () => new layers.ReLU({ maxValue: 0.6, negativeSlope: 0.1, threshold: 0.05 }), inputs: one([4]) },
  LeakyReLU: { make: () => new layers.LeakyReLU({ negativeSlope: 0.2 }), inputs: one([4]) },
  PReLU: { make: () => new layers.PReLU({ sharedAxes: [1] }), inputs: one([3, 4]) },
  ELU: { make: () => new layers.ELU({ alpha: 0.7 }), inputs: one([4]) },
  Softmax: { make: () => new layers.Softmax({ axis: -1 }), inputs: one([2, 4]) },
  Conv1D: { make: () => new layers.Conv1D(2, 3, { padding: "same", strides: 2 }), inputs: one([7, 3]) },
  Conv2D: { make: () => new layers.Conv2D(2, [2, 3], { dilationRate: 1, activation: "relu" }), inputs: one([5, 6, 2]) },
  Conv3D: { make: () => new layers.Conv3D(2, 2), inputs: one([3, 4, 3, 2]) },
  Conv1DTranspose: { make: () => new layers.Conv1DTranspose(2, 3, { strides: 2 }), inputs: one([4, 3]) },
  Conv2DTranspose: { make: () => new layers.Conv2DTranspose(2, 3, { padding: "same" }), inputs: one([3, 4, 2]) },
  Conv3DTranspose: { make: () => new layers.Conv3DTranspose(2, 2), inputs: one([2, 3, 2, 2]) },
  DepthwiseConv1D: { make: () => new layers.DepthwiseConv1D(3, { depthMultiplier: 2 }), inputs: one([6, 3]) },
  DepthwiseConv2D: { make: () => new layers.DepthwiseConv2D(2), inputs: one([4, 5, 2]) },
  SeparableConv1D: { make: () => new layers.SeparableConv1D(4, 3), inputs: one([6, 3]) },
  SeparableConv2D: { make: () => new layers.SeparableConv2D(3, 2, { depthMultiplier: 2 }), inputs: one([4, 5, 2]) },
  MaxPooling1D: { make: () => new layers.MaxPooling1D(2), inputs: one([6, 3]) },
  MaxPooling2D: { make: () => new layers.MaxPooling2D(2, { padding: "same" }), inputs: one([5, 4, 2]) },
  MaxPooling3D: { make: () => new layers.MaxPooling3D(2), inputs: one([4, 4, 2, 2]) },
  AveragePooling1D: { make: () => new layers.AveragePooling1D(2, { strides: 1 }), inputs: one([6, 3]) },
  AveragePooling2D: { make: () => new layers.AveragePooling2D(2), inputs: one([4, 4, 2]) },
  AveragePooling3D: { make: () => new layers.AveragePooling3D(2), inputs: one([4, 2, 2, 2]) },
  GlobalMaxPooling1D: { make: () => new layers.GlobalMaxPooling1D(), inputs: one([5, 3]) },
  GlobalMaxPooling2D: { make: () => new layers.GlobalMaxPooling2D({ keepdims: true }), inputs: one([3, 4, 2]) },
  GlobalMaxPooling3D: { make: () => new layers.GlobalMaxPooling3D(), inputs: one([2, 3, 2, 2]) },
  GlobalAveragePooling1D: { make: () => new layers.GlobalAveragePooling1D(), inputs: one([5, 3]) },
  GlobalAveragePooling2D: { make: () => new layers.GlobalAveragePooling2D(), inputs: one([3, 4, 2]) },
  GlobalAveragePooling3D: { make: () => new layers.GlobalAveragePooling3D(), inputs: one([2, 3, 2, 2]) },
  BatchNormalization: { make: () => new layers.BatchNormalization({ momentum: 0.9 }), inputs: one([3, 4]) },
  LayerNormalization: { make: () => new layers.LayerNormalization({ epsilon: 1e-4 }), inputs: one([3, 4]) },
  GroupNormalization: { make: () => new layers.GroupNormalization({ groups: 2 }), inputs: one([3, 4]) },
  UnitNormalization: { make: () => new layers.UnitNormalization({ axis: -1 }), inputs: one([3, 4]) },
  SpatialDropout1D: { make: () => new layers.SpatialDropout1D(0.3), inputs: one([4, 3]) },
  SpatialDropout2D: { make: () => new layers.SpatialDropout2D(0.3), inputs: one([3, 3, 2]) },
  SpatialDropout3D: { make: () => new layers.SpatialDropout3D(0.3), inputs: one([2, 2, 2, 2]) },
  GaussianNoise: { make: () => new layers.GaussianNoise(0.1, { seed: 2 }), inputs: one([4]) },
  GaussianDropout: { make: () => new layers.GaussianDropout(0.2), inputs: one([4]) },
  AlphaDropout: { make: () => new layers.AlphaDropout(0.2), inputs: one([4]) },
  ActivityRegularization: { make: () => new layers.ActivityRegularization({ l1: 0.01, l2: 0.02 }), inputs: one([4]) },
  UpSampling1D: { make: () => new layers.UpSampling1D(2), inputs: one([3, 2]) },
  UpSampling2D: { make: () => new layers.UpSampling2D([2, 1]), inputs: one([2, 3, 2]) },
  UpSampling3D: { make: () => new layers.UpSampling3D(2), inputs: one([2, 2, 1, 2]) },
  ZeroPadding1D: { make: () => new layers.ZeroPadding1D([1, 2]), inputs: one([3, 2]) },
  ZeroPadding2D: { make: () => new layers.ZeroPadding2D([1, 2]), inputs: one([2, 3, 2]) },
  ZeroPadding3D: { make: () => new layers.ZeroPadding3D(1), inputs: one([2, 2, 2, 1]) },
  Cropping1D: { make: () => new layers.Cropping1D([1, 2]), inputs: one([6, 2]) },
  Cropping2D: { make: () => new layers.Cropping2D([1, 1]), inputs: one([4, 5, 2]) },
  Cropping3D: { make: () => new layers.Cropping3D(1), inputs: one([4, 3, 3, 1]) },
  EinsumDense: {
    make: () => new layers.EinsumDense("ab,bc->ac", 3, { biasAxes: "c", activation: "relu" }),
    inputs: one([4]),
  },
  Masking: { make: () => new layers.Masking({ maskValue: 0.25 }), inputs: one([3, 4]) },
  SimpleRNNCell: { make: () => new layers.RNN(new layers.SimpleRNNCell(3)), inputs: one([4, 2]) },
  LSTMCell: { make: () => new layers.RNN(new layers.LSTMCell(3), { returnSequences: true }), inputs: one([4, 2]) },
  GRUCell: { make: () => new layers.RNN(new layers.GRUCell(3, { resetAfter: false })), inputs: one([4, 2]) },
  RNN: { make: () => new layers.RNN(new layers.SimpleRNNCell(2), { goBackwards: true }), inputs: one([3, 2]) },
  SimpleRNN: { make: () => new layers.SimpleRNN(3, { returnSequences: true }), inputs: one([4, 2]) },
  LSTM: { make: () => new layers.LSTM(3, { dropout: 0.2, recurrentDropout: 0.1 }), inputs: one([4, 2]) },
  GRU: { make: () => new layers.GRU(3, { returnState: true }), inputs: one([4, 2]) },
  Bidirectional: { make: () => new layers.Bidirectional(new layers.LSTM(2)), inputs: one([4, 3]) },
  TimeDistributed: { make: () => new layers.TimeDistributed(new layers.Dense(2)), inputs: one([3, 4]) },
  Attention: { make: () => new layers.Attention({ useScale: true }), inputs: two([3, 4], [5, 4]) },
  AdditiveAttention: { make: () => new layers.AdditiveAttention(), inputs: two([3, 4], [5, 4]) },
  MultiHeadAttention: {
    make: () => new layers.MultiHeadAttention(2, 3),
    inputs: two([3, 4], [5, 4]),
    call: (layer, [query, value]) => layer({ query, value } as never),
  },
};

/** The layer classes exported from layers/index.ts (abstract ones included). */
function exportedLayerClasses(): string[] {
  const base = layersModule.Layer as unknown as { prototype: object };
  return Object.entries(layersModule)
    .filter(([, v]) => typeof v === "function" && (v === base || v.prototype instanceof (base as never)))
    .map(([k]) => k)
    .sort();
}

/** A deterministic generator (no global random state touched). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomTensor(def: InputDef, rnd: () => number, batch: number): Tensor {
  const shape = [batch, ...def.shape];
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () =>
    def.intRange ? Math.floor(rnd() * def.intRange) : Math.round((rnd() * 2 - 1) * 64) / 64,
  );
  const t = toTensor(values, def.dtype ?? "float32");
  return ops.reshape(t, shape) as Tensor;
}

/** Random values in every weight (positive for variances) so that each one shows in the predictions. */
function randomizeWeights(model: Model, rnd: () => number): void {
  model.setWeights(
    model.weights.map((v) => {
      const positive = /variance/.test(v.path);
      const size = v.shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: size }, () => (positive ? 0.5 + rnd() : rnd() - 0.5));
      return ops.reshape(toTensor(data, v.dtype), [...v.shape]) as Tensor;
    }),
  );
}

function buildModel(name: string, c: Case): Model {
  const inputs = c.inputs.map((d, i) => keras.Input({ shape: d.shape, dtype: d.dtype, name: `in_${i}` }));
  const layer = c.make();
  const out = c.call ? c.call(layer, inputs) : layer((inputs.length === 1 ? inputs[0] : inputs) as never);
  return new keras.Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: out as never, name });
}

function bits(x: unknown): number[][] {
  const ts = x instanceof Tensor ? [x] : (Object.values(x as object) as Tensor[]);
  return ts.map((t) => [...t.data]);
}

describe("catalogue round trip: save, load, same config, same predictions to the bit", () => {
  it("every layer class exported from layers/index.ts has a case (or is a named abstract base)", () => {
    const missing = exportedLayerClasses().filter((k) => !(k in CASES) && !(k in NOT_INSTANTIATED));
    assert.deepEqual(missing, [], `layer classes with no case in catalogue_roundtrip.test.ts: ${missing.join(", ")}`);
    const stale = Object.keys(CASES).filter((k) => !exportedLayerClasses().includes(k));
    assert.deepEqual(stale, [], `cases for classes that layers/index.ts no longer exports: ${stale.join(", ")}`);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const model = buildModel(`rt_${name.toLowerCase()}`, c);
      const rnd = lcg(name.length * 7919 + name.charCodeAt(0));
      randomizeWeights(model, rnd);
      const xs = c.inputs.map((d) => randomTensor(d, rnd, 2));
      const x = xs.length === 1 ? xs[0] : xs;
      const before = model.predict(x as never);
      const path = join(tmp, `${name}.keras`);
      await model.save(path);
      const again = await loadModel(path);

      assert.equal(again.toJSON(), model.toJSON(), "serialized config");
      const layerOf = (m: Model) => m.layers.find((l) => l.constructor.name !== "InputLayer") as Layer;
      assert.deepEqual(layerOf(again).getConfig(), layerOf(model).getConfig(), "getConfig()");
      assert.deepEqual(
        again.weights.map((v) => `${v.path} ${v.shape.join("x")}`),
        model.weights.map((v) => `${v.path} ${v.shape.join("x")}`),
      );
      assert.deepEqual(
        again.weights.map((v) => [...v.peek().data]),
        model.weights.map((v) => [...v.peek().data]),
      );
      assert.deepEqual(bits(again.predict(x as never)), bits(before), "predictions");
    });
  }
});
