// Every family of layers the trace allows (trainers/step_trace.ts) trains identically traced and
// eagerly (bit for bit), and is actually replayed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Tensor } from "../backend/tensor.js";
import { Input } from "../layers/core/input_layer.js";
import * as layers from "../layers/index.js";
import { Model } from "../models/model.js";
import { Sequential } from "../models/sequential.js";
import { setRandomSeed } from "../random/index.js";
import type { StepTracer } from "./step_trace.js";

// biome-ignore lint/suspicious/noExplicitAny: constructors picked by name in a table.
const L = layers as any;
const keras = { Input, Model, Sequential };
const seq = (shape: number[], ls: () => layers.Layer[]) => () => new Sequential([Input({ shape }), ...ls()]);
const cases: Record<string, [number[], () => Model]> = {
  conv1d: [
    [10, 3],
    seq([10, 3], () => [
      new L.Conv1D(4, 3, { padding: "same", activation: "relu" }),
      new L.GlobalAveragePooling1D(),
      new L.Dense(2),
    ]),
  ],
  conv2dT: [
    [6, 6, 2],
    seq([6, 6, 2], () => [new L.Conv2DTranspose(3, 3, { strides: 2 }), new L.Flatten(), new L.Dense(2)]),
  ],
  sep: [[8, 8, 2], seq([8, 8, 2], () => [new L.SeparableConv2D(4, 3), new L.GlobalMaxPooling2D(), new L.Dense(2)])],
  depthwise: [
    [8, 8, 2],
    seq([8, 8, 2], () => [new L.DepthwiseConv2D(3), new L.AveragePooling2D(2), new L.Flatten(), new L.Dense(2)]),
  ],
  ln_gn: [
    [8, 8, 4],
    seq([8, 8, 4], () => [
      new L.LayerNormalization(),
      new L.GroupNormalization({ groups: 2 }),
      new L.Flatten(),
      new L.Dense(2),
    ]),
  ],
  reshape: [
    [12],
    seq([12], () => [
      new L.Reshape([3, 4]),
      new L.Permute([2, 1]),
      new L.Flatten(),
      new L.RepeatVector(2),
      new L.Flatten(),
      new L.Dense(2),
    ]),
  ],
  pad: [
    [6, 6, 1],
    seq([6, 6, 1], () => [
      new L.ZeroPadding2D(1),
      new L.Cropping2D(1),
      new L.UpSampling2D(2),
      new L.Conv2D(2, 3),
      new L.Flatten(),
      new L.Dense(2, { activation: "softmax" }),
    ]),
  ],
  acts: [
    [5],
    seq([5], () => [
      new L.Dense(6),
      new L.LeakyReLU(),
      new L.ELU(),
      new L.PReLU(),
      new L.Dense(4, { activation: "gelu" }),
      new L.Softmax(),
      new L.UnitNormalization(),
      new L.Dense(2),
    ]),
  ],
  einsum: [[5], seq([5], () => [new L.EinsumDense("ab,bc->ac", [3]), new L.Dense(2)])],
  merge: [
    [5],
    () => {
      const i = keras.Input({ shape: [5] });
      const a = new L.Dense(4)(i);
      const b = new L.Dense(4)(i);
      const c = new L.Concatenate()([
        new L.Add()([a, b]),
        new L.Multiply()([a, b]),
        new L.Subtract()([a, b]),
        new L.Maximum()([a, b]),
        new L.Average()([a, b]),
      ]);
      return new Model({ inputs: i, outputs: new L.Dense(2)(c) });
    },
  ],
  dot: [
    [5],
    () => {
      const i = keras.Input({ shape: [5] });
      const a = new L.Dense(4)(i);
      const b = new L.Dense(4)(i);
      return new Model({ inputs: i, outputs: new L.Dense(2)(new L.Dot(1)([a, b])) });
    },
  ],
  bn_conv: [
    [6, 6, 2],
    seq([6, 6, 2], () => [
      new L.Conv2D(3, 3, { useBias: false }),
      new L.BatchNormalization({ momentum: 0.5 }),
      new L.ReLU(),
      new L.MaxPooling2D(2),
      new L.Flatten(),
      new L.Dense(2),
    ]),
  ],
  conv3d: [
    [4, 4, 4, 1],
    seq([4, 4, 4, 1], () => [new L.Conv3D(2, 2), new L.MaxPooling3D(1), new L.Flatten(), new L.Dense(2)]),
  ],
};

describe("traced steps across the layer catalogue", () => {
  for (const [name, [shape, make]] of Object.entries(cases)) {
    it(`${name}: identical to eager training, replayed`, async () => {
      let s = 5;
      const r = () => {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        return s / 2 ** 32;
      };
      const n = 48;
      const size = shape.reduce((a, b) => a * b, 1);
      const x = new Tensor(Float32Array.from({ length: n * size }, r), [n, ...shape]);
      const y = new Tensor(Float32Array.from({ length: n * 2 }, r), [n, 2]);
      const runs = [];
      for (const jitCompile of ["auto", false] as const) {
        setRandomSeed(3);
        const m = make();
        m.compile({ optimizer: "adam", loss: "mse", jitCompile });
        setRandomSeed(4);
        const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
        const tracer = (m as unknown as { _stepTracer: StepTracer | null })._stepTracer;
        runs.push({ loss: h.history.loss, weights: m.getWeights().map((t) => Array.from(t.data)), tracer });
      }
      assert.deepEqual(runs[0].loss, runs[1].loss);
      assert.deepEqual(runs[0].weights, runs[1].weights);
      assert.equal(runs[0].tracer?.lastFailure, null);
      assert.equal(runs[0].tracer?.replayed, 16);
    });
  }
});
