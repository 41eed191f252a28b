// The built-in step replayed from a kernel trace (compile's jitCompile, "auto" by default) trains
// exactly as the eager step does: same losses, same weights, bit for bit, for the models it traces;
// the others run eagerly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Tensor } from "../backend/tensor.js";
import * as L from "../layers/index.js";
import { Model } from "../models/model.js";
import * as ops from "../ops/index.js";
import { Sequential } from "../models/sequential.js";
import { Adam, SGD } from "../optimizers/index.js";
import * as random from "../random/index.js";
import { setRandomSeed } from "../random/index.js";
import type { CompileArgs } from "./trainer.js";
import type { StepTracer } from "./step_trace.js";

function data(n: number, shape: number[], classes: number, seed = 11) {
  let s = seed;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const size = shape.reduce((a, b) => a * b, 1);
  const x = new Tensor(Float32Array.from({ length: n * size }, r), [n, ...shape]);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * classes));
  const oneHot = new Float32Array(n * classes);
  labels.forEach((c, i) => {
    oneHot[i * classes + c] = 1;
  });
  return { x, labels: new Tensor(labels, [n]), oneHot: new Tensor(oneHot, [n, classes]) };
}

const tracer = (m: Model) => (m as unknown as { _stepTracer: StepTracer | null })._stepTracer;

/** Trains two copies of a model (traced and eager) from the same weights; returns both. */
async function twin(
  build: () => Model,
  compile: () => CompileArgs,
  fit: (m: Model) => Promise<unknown>,
): Promise<{ traced: Model; eager: Model; losses: [unknown, unknown] }> {
  setRandomSeed(7);
  const traced = build();
  setRandomSeed(7);
  const eager = build();
  traced.compile({ ...compile(), jitCompile: "auto" });
  eager.compile({ ...compile(), jitCompile: false });
  setRandomSeed(99); // the same shuffles
  const a = await fit(traced);
  setRandomSeed(99);
  const b = await fit(eager);
  return { traced, eager, losses: [a, b] };
}

function assertSameWeights(a: Model, b: Model): void {
  const wa = a.getWeights();
  const wb = b.getWeights();
  assert.equal(wa.length, wb.length);
  wa.forEach((t, i) => {
    const x = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const y = new Uint8Array(wb[i].data.buffer, wb[i].data.byteOffset, wb[i].data.byteLength);
    assert.deepEqual(x, y, `weight ${i} (${a.weights[i].path}) differs`);
  });
}

describe("traced training steps (jitCompile)", () => {
  it("an MLP trains bit for bit as eagerly, most steps replayed, the last partial batch too", async () => {
    const { x, oneHot } = data(300, [20], 4);
    const { traced, eager, losses } = await twin(
      () =>
        new Sequential([
          L.Input({ shape: [20] }),
          new L.Dense(32, { activation: "relu" }),
          new L.Dense(4, { activation: "softmax" }),
        ]),
      () => ({ optimizer: new Adam(), loss: "categorical_crossentropy", metrics: ["accuracy"] }),
      async (m) => (await m.fit(x, oneHot, { epochs: 4, batchSize: 64, verbose: 0, shuffle: true })).history,
    );
    assert.deepEqual(losses[0], losses[1]);
    assertSameWeights(traced, eager);
    const t = tracer(traced);
    assert.ok(t !== null && t !== undefined, "the MLP is traceable");
    assert.equal(t.lastFailure, null);
    // 5 steps per epoch (4 full batches, 1 of 44): each shape runs eagerly twice, then replays.
    assert.equal(t.replayed, 20 - 4);
    assert.equal(tracer(eager), null);
  });

  it("a CNN with batch normalization (moving statistics assigned in the step) and sparse labels", async () => {
    const { x, labels } = data(48, [8, 8, 1], 3);
    const { traced, eager, losses } = await twin(
      () =>
        new Sequential([
          L.Input({ shape: [8, 8, 1] }),
          new L.Conv2D(4, 3, { activation: "relu" }),
          new L.BatchNormalization(),
          new L.MaxPooling2D(2),
          new L.Flatten(),
          new L.Dense(3),
        ]),
      () => ({ optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }), loss: "sparse_categorical_crossentropy" }),
      async (m) => (await m.fit(x, labels, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false })).history,
    );
    assert.deepEqual(losses[0], losses[1]);
    assertSameWeights(traced, eager);
    assert.equal(tracer(traced)?.lastFailure, null);
    assert.equal(tracer(traced)?.replayed, 9 - 2);
  });

  it("a functional model with an added loss, sample weights and an L2 regularizer", async () => {
    const { x, oneHot } = data(64, [6], 2);
    const sw = new Tensor(
      Float32Array.from({ length: 64 }, (_, i) => 1 + (i % 3)),
      [64],
    );
    const { traced, eager, losses } = await twin(
      () => {
        const inp = L.Input({ shape: [6] });
        const h = new L.Dense(8, { activation: "tanh", kernelRegularizer: "l2" })(inp);
        const out = new L.Dense(2, { activation: "sigmoid" })(h);
        const m = new Model({ inputs: inp, outputs: out });
        m.addLoss(ops.multiply(0.01, ops.mean(ops.square(h))));
        return m;
      },
      () => ({ optimizer: new Adam(), loss: "binary_crossentropy" }),
      async (m) => (await m.fit(x, oneHot, { epochs: 3, batchSize: 16, verbose: 0, sampleWeight: sw })).history,
    );
    assert.deepEqual(losses[0], losses[1]);
    assertSameWeights(traced, eager);
    assert.ok((tracer(traced)?.replayed ?? 0) > 0);
  });

  it("class indices held as floats (verified with rows rotated, not scaled)", async () => {
    const { x, labels } = data(64, [6], 4);
    const floatLabels = new Tensor(Float32Array.from(labels.data), [64]);
    const { traced, eager, losses } = await twin(
      () => new Sequential([L.Input({ shape: [6] }), new L.Dense(8, { activation: "relu" }), new L.Dense(4)]),
      () => ({ optimizer: new Adam(), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] }),
      async (m) => (await m.fit(x, floatLabels, { epochs: 3, batchSize: 16, verbose: 0 })).history,
    );
    assert.deepEqual(losses[0], losses[1]);
    assertSameWeights(traced, eager);
    assert.equal(tracer(traced)?.lastFailure, null);
    assert.equal(tracer(traced)?.replayed, 12 - 2);
  });

  it("a layer frozen between fits: a new trace, still exact", async () => {
    const { x, oneHot } = data(64, [5], 3);
    const { traced, eager } = await twin(
      () =>
        new Sequential([
          L.Input({ shape: [5] }),
          new L.Dense(8, { activation: "relu" }),
          new L.Dense(3, { activation: "softmax" }),
        ]),
      () => ({ optimizer: new Adam(), loss: "categorical_crossentropy" }),
      async (m) => {
        await m.fit(x, oneHot, { epochs: 2, batchSize: 16, verbose: 0 });
        m.layers[0].trainable = false;
        await m.fit(x, oneHot, { epochs: 2, batchSize: 16, verbose: 0 });
        m.layers[0].trainable = true;
        return (await m.fit(x, oneHot, { epochs: 1, batchSize: 16, verbose: 0 })).history;
      },
    );
    assertSameWeights(traced, eager);
  });

  it("models it cannot trace run eagerly: dropout, custom layers, an overridden computeLoss", async () => {
    const { x, oneHot } = data(32, [4], 2);
    setRandomSeed(1);
    const dropout = new Sequential([L.Input({ shape: [4] }), new L.Dense(4), new L.Dropout(0.5), new L.Dense(2)]);
    dropout.compile({ optimizer: "sgd", loss: "mse" });
    await dropout.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0 });
    assert.equal(tracer(dropout), null);

    class Doubler extends L.Dense {}
    const custom = new Sequential([L.Input({ shape: [4] }), new Doubler(2)]);
    custom.compile({ optimizer: "sgd", loss: "mse" });
    await custom.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0 });
    assert.equal(tracer(custom), null);

    class OwnLoss extends Model {
      override computeLoss(args: Parameters<Model["computeLoss"]>[0]) {
        return super.computeLoss(args);
      }
    }
    const inp = L.Input({ shape: [4] });
    const own = new OwnLoss({ inputs: inp, outputs: new L.Dense(2)(inp) });
    own.compile({ optimizer: "sgd", loss: "mse" });
    await own.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0 });
    assert.equal(tracer(own), null);

    // A random op in a functional graph reads the global generator: not traced, same draws as eager.
    const losses: unknown[] = [];
    for (const jitCompile of ["auto", false] as const) {
      setRandomSeed(1);
      const i = L.Input({ shape: [4] });
      const h = random.dropout(new L.Dense(8)(i), 0.5);
      const m = new Model({ inputs: i, outputs: new L.Dense(2)(h as never) });
      m.compile({ optimizer: "sgd", loss: "mse", jitCompile });
      losses.push((await m.fit(x, oneHot, { epochs: 3, batchSize: 8, verbose: 0 })).history.loss);
      if (jitCompile === "auto") assert.match(tracer(m)?.lastFailure ?? "", /seed_generator_state/);
    }
    assert.deepEqual(losses[0], losses[1]);

    const off = new Sequential([L.Input({ shape: [4] }), new L.Dense(2)]);
    off.compile({ optimizer: "sgd", loss: "mse", runEagerly: true });
    await off.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0 });
    assert.equal(tracer(off), null);
    assert.equal(off.jitCompile, false);
  });

  it("updates unread weights in place, and never writes a weight tensor anyone read", async () => {
    const { x, oneHot } = data(64, [10], 3);
    setRandomSeed(3);
    const m = new Sequential([L.Input({ shape: [10] }), new L.Dense(16, { activation: "relu" }), new L.Dense(3)]);
    m.compile({ optimizer: new Adam(), loss: "categorical_crossentropy", metrics: ["accuracy"] });
    await m.fit(x, oneHot, { epochs: 2, batchSize: 16, verbose: 0 });
    const kernel = m.layers[0].weights[0];
    // Read by a user: training must leave this tensor as it is.
    const seen = kernel.peek();
    const copy = Float32Array.from(seen.data);
    await m.fit(x, oneHot, { epochs: 1, batchSize: 16, verbose: 0 });
    assert.deepEqual(Float32Array.from(seen.data), copy);
    assert.notEqual(kernel.current(), seen, "a new tensor after the read");
    // Not read since: replayed steps write the next values into the same memory.
    const buffer = kernel.current().data.buffer;
    await m.fit(x, oneHot, { epochs: 1, batchSize: 16, verbose: 0 });
    assert.equal(kernel.current().data.buffer, buffer);
    assert.notDeepEqual(Float32Array.from(kernel.current().data), copy);
  });

  it("replays what eager steps would do in the cases review found (labels, pop, frozen BN, activations)", async () => {
    // Hinge converts {0, 1} labels in JavaScript: a trace captured on such labels must still
    // handle a later batch of soft labels.
    const { x } = data(64, [4], 2);
    const hingeY = new Tensor(
      Float32Array.from({ length: 64 }, (_, i) => (i < 32 ? i % 2 : 0.25 + (i % 2) / 2)),
      [64, 1],
    );
    const hinge = await twin(
      () => new Sequential([L.Input({ shape: [4] }), new L.Dense(1, { activation: "tanh" })]),
      () => ({ optimizer: new SGD(0.1), loss: "hinge" }),
      async (m) => (await m.fit(x, hingeY, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false })).history,
    );
    assert.deepEqual(hinge.losses[0], hinge.losses[1]);
    assert.ok((tracer(hinge.traced)?.replayed ?? 0) > 0);

    // Out-of-range class indices in a replayed batch throw as they do eagerly.
    const bad = new Tensor(
      Int32Array.from({ length: 64 }, (_, i) => (i === 50 ? 7 : i % 3)),
      [64],
    );
    setRandomSeed(2);
    const sparse = new Sequential([L.Input({ shape: [4] }), new L.Dense(3)]);
    sparse.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy" });
    await assert.rejects(
      sparse.fit(x, bad, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false }),
      /class indices, integers in \[0, 3\)/,
    );
    assert.ok((tracer(sparse)?.replayed ?? 0) > 0, "the bad batch came after replays began");

    // A weightless layer popped, a weightless BatchNormalization frozen, between fits.
    const { oneHot } = data(64, [4], 2);
    const edits = await twin(
      () =>
        new Sequential([
          L.Input({ shape: [4] }),
          new L.BatchNormalization({ center: false, scale: false }),
          new L.Dense(2),
          new L.Activation("relu"),
        ]),
      () => ({ optimizer: new SGD(0.1), loss: "mse" }),
      async (m) => {
        await m.fit(x, oneHot, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
        (m as Sequential).pop();
        await m.fit(x, oneHot, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
        m.layers[0].trainable = false;
        return (await m.fit(x, oneHot, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false })).history;
      },
    );
    assert.deepEqual(edits.losses[0], edits.losses[1]);
    assertSameWeights(edits.traced, edits.eager);

    // An activation written in JavaScript may read anything: not traced.
    let temperature = 1;
    const own = new Sequential([
      L.Input({ shape: [4] }),
      new L.Dense(2, { activation: (t) => ops.tanh(ops.divide(t, temperature)) }),
    ]);
    own.compile({ optimizer: "sgd", loss: "mse" });
    await own.fit(x, oneHot, { epochs: 1, batchSize: 8, verbose: 0 });
    temperature = 2;
    assert.equal(tracer(own), null);
  });
});
