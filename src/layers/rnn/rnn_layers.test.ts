/**
 * Recurrent layers: gradients (GradientTape vs finite differences on inputs and variables), cells,
 * the generic RNN, wrappers (Bidirectional, TimeDistributed), Masking, configs, errors, and a
 * model saved by Keras 3 (Embedding + LSTM + GRU) predicting as Keras did.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { GradientTape } from "../../autodiff/tape.js";
import * as ops from "../../ops/index.js";
import type { AnyTensor } from "../../ops/types.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import type { Nested } from "../../tree/index.js";
import { Dense } from "../core/dense.js";
import { Embedding } from "../core/embedding.js";
import { Masking } from "../core/masking.js";
import { type CallOptions, Layer } from "../layer.js";
import { getMask } from "../mask.js";
import { Bidirectional } from "./bidirectional.js";
import { GRU } from "./gru.js";
import { GRUCell } from "./gru_cell.js";
import { LSTM } from "./lstm.js";
import { LSTMCell } from "./lstm_cell.js";
import { RNN } from "./rnn.js";
import { SimpleRNN } from "./simple_rnn.js";
import { SimpleRNNCell } from "./simple_rnn_cell.js";
import { TimeDistributed } from "./time_distributed.js";

const outputsOf = (y: unknown): Tensor[] => (Array.isArray(y) ? (y as Tensor[]) : [y as Tensor]);

/** sum over every output of output * fixed coefficients: a scalar that sees each output element. */
function weightedLoss(outs: Tensor[]): Tensor {
  return outs.reduce<Tensor>(
    (acc, o, i) => ops.add(acc, ops.sum(ops.multiply(o, randomTensor(o.shape, 50 + i, 0.5, 1.5)))) as Tensor,
    toTensor(0, "float64"),
  );
}

/** Gradients of the layer's outputs w.r.t. each trainable variable vs central finite differences. */
function checkVariableGrads(layer: Layer, run: () => unknown, { eps = 1e-6, rtol = 1e-5, atol = 1e-7 } = {}): void {
  run(); // builds
  const vars = layer.trainableWeights;
  assert.ok(vars.length > 0);
  const tape = new GradientTape();
  const loss = tape.record(() => weightedLoss(outputsOf(run())));
  const grads = tape.gradient(loss, vars);
  vars.forEach((v, k) => {
    const g = grads[k] as Tensor;
    assert.ok(g, `no gradient for ${v.path}`);
    assert.deepEqual(g.shape, v.shape);
    const base = v.peek();
    for (let i = 0; i < base.size; i++) {
      const at = (delta: number) => {
        const d = Float64Array.from(base.data as Float64Array);
        d[i] += delta;
        v.assign(new Tensor(d, base.shape.slice(), "float64"));
        return weightedLoss(outputsOf(run())).item() as number;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(base);
      const a = g.data[i] as number;
      assert.ok(
        Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric),
        `${v.path}[${i}]: analytic ${a} vs finite difference ${numeric}`,
      );
    }
  });
}

describe("gradients (float64, GradientTape vs finite differences)", () => {
  const x = randomTensor([2, 3, 2], 11);
  const mask = toTensor(
    [
      [true, false, true],
      [true, true, false],
    ],
    "bool",
  );
  const cases: [string, () => Layer, CallOptions][] = [
    ["SimpleRNN", () => new SimpleRNN(2, { returnSequences: true, dtype: "float64" }), {}],
    ["LSTM returnState", () => new LSTM(2, { returnState: true, dtype: "float64" }), {}],
    [
      "LSTM goBackwards, masked",
      () => new LSTM(2, { returnSequences: true, goBackwards: true, dtype: "float64" }),
      { mask },
    ],
    ["GRU resetAfter", () => new GRU(2, { returnSequences: true, returnState: true, dtype: "float64" }), {}],
    [
      "GRU resetAfter=false, masked",
      () => new GRU(2, { resetAfter: false, returnSequences: true, dtype: "float64" }),
      { mask },
    ],
    [
      "Bidirectional(LSTM) concat",
      () => new Bidirectional(new LSTM(2, { returnSequences: true, dtype: "float64" }), { dtype: "float64" }),
      {},
    ],
    ["TimeDistributed(Dense)", () => new TimeDistributed(new Dense(2, { activation: "tanh", dtype: "float64" })), {}],
  ];
  for (const [name, make, opts] of cases) {
    it(`${name}: w.r.t. the inputs and every weight`, () => {
      const layer = make();
      layer(x, opts);
      // Larger weights than the initializers give, so that the nonlinearities matter.
      layer.setWeights(layer.getWeights().map((w, i) => ops.multiply(randomTensor(w.shape, 20 + i), 0.9)));
      checkGrad((xx) => weightedLoss(outputsOf(layer(xx, opts))), [x]);
      checkVariableGrads(layer, () => layer(x, opts));
    });
  }

  it("LSTM: w.r.t. the initial states", () => {
    const layer = new LSTM(2, { returnSequences: true, dtype: "float64" });
    const h0 = randomTensor([2, 2], 12);
    const c0 = randomTensor([2, 2], 13);
    checkGrad((h, c) => weightedLoss(outputsOf(layer(x, { initialState: [h, c] }))), [h0, c0]);
  });
});

describe("cells and the generic RNN", () => {
  it("LSTMCell: one step (Keras's cell(inputs, states)) equals an LSTM over a 1-step sequence", () => {
    const cell = new LSTMCell(3, { dtype: "float64" });
    const x = randomTensor([2, 4], 14);
    const h = randomTensor([2, 3], 15);
    const c = randomTensor([2, 3], 16);
    const [out, [h1, c1]] = cell(x, { states: [h, c] }) as unknown as [Tensor, Tensor[]];
    assert.deepEqual(
      cell.weights.map((v) => [v.path, v.shape]),
      [
        [`${cell.name}/kernel`, [4, 12]],
        [`${cell.name}/recurrent_kernel`, [3, 12]],
        [`${cell.name}/bias`, [12]],
      ],
    );
    // unitForgetBias: the forget block of the bias starts at 1, the others at 0.
    assert.deepEqual(Array.from(cell.bias?.peek().data ?? []), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const lstm = new LSTM(3, { returnState: true, dtype: "float64" });
    lstm(ops.expandDims(x, 1));
    lstm.setWeights(cell.getWeights());
    const [o2, h2, c2] = lstm(ops.expandDims(x, 1), { initialState: [h, c] }) as unknown as Tensor[];
    assertClose(out, o2, { rtol: 1e-12 });
    assertClose(h1, h2, { rtol: 1e-12 });
    assertClose(c1, c2, { rtol: 1e-12 });
  });

  it("GRUCell and SimpleRNNCell take a single state tensor and return one", () => {
    const x = randomTensor([2, 4], 17);
    const h = randomTensor([2, 3], 18);
    for (const cell of [new GRUCell(3, { dtype: "float64" }), new SimpleRNNCell(3, { dtype: "float64" })]) {
      const [out, state] = cell(x, { states: h }) as unknown as [Tensor, Tensor];
      assert.ok(state instanceof Tensor);
      assertClose(out, state, { rtol: 0 });
      assert.deepEqual(out.shape, [2, 3]);
    }
    assert.throws(() => new GRUCell(3)(x), /Layer 'gru_cell(_\d+)?' \(GRUCell\): a cell call needs its states/);
  });

  it("RNN(cell) with a user cell (call(x, { states }) only) equals SimpleRNN with the same weights", () => {
    class MinimalCell extends Layer {
      stateSize = 3;
      kernel!: ReturnType<Layer["addWeight"]>;
      recurrent!: ReturnType<Layer["addWeight"]>;
      override build(shape: Nested<(number | null)[]>): void {
        const s = shape as number[];
        this.kernel = this.addWeight({ name: "kernel", shape: [s[s.length - 1], 3], dtype: "float64" });
        this.recurrent = this.addWeight({ name: "recurrent_kernel", shape: [3, 3], dtype: "float64" });
      }
      override call(x: Nested<AnyTensor>, { states }: CallOptions): Nested<AnyTensor> {
        const [h] = states as AnyTensor[];
        const out = ops.tanh(ops.add(ops.matmul(x as AnyTensor, this.kernel), ops.matmul(h, this.recurrent)));
        return [out, [out]];
      }
    }
    const x = randomTensor([2, 4, 2], 19);
    const rnn = new RNN(new MinimalCell({ dtype: "float64" }), { returnSequences: true, goBackwards: true });
    const y = rnn(x) as Tensor;
    assert.deepEqual(
      rnn.weights.map((v) => v.path),
      [`${rnn.name}/minimal_cell/kernel`, `${rnn.name}/minimal_cell/recurrent_kernel`],
    );
    const ref = new SimpleRNN(3, { returnSequences: true, goBackwards: true, useBias: false, dtype: "float64" });
    ref(x);
    ref.setWeights(rnn.getWeights());
    assertClose(y, ref(x) as Tensor, { rtol: 1e-12 });
    assert.deepEqual((rnn(new SymbolicTensor([null, null, 2], "float64")) as SymbolicTensor).shape, [null, null, 3]);
  });

  it("dropout and recurrentDropout: only in training, new masks per call, inference unchanged", () => {
    const x = randomTensor([4, 5, 3], 21);
    for (const make of [
      () => new LSTM(4, { dropout: 0.5, recurrentDropout: 0.5, seed: 1, dtype: "float64" }),
      () => new LSTM(4, { dropout: 0.5, seed: 1, dtype: "float64" }),
      () => new GRU(4, { dropout: 0.3, recurrentDropout: 0.4, seed: 2, dtype: "float64" }),
      () => new GRU(4, { resetAfter: false, recurrentDropout: 0.4, seed: 2, dtype: "float64" }),
      () => new SimpleRNN(4, { dropout: 0.3, recurrentDropout: 0.4, seed: 3, dtype: "float64" }),
    ]) {
      const layer = make();
      const plain = new (layer.constructor as typeof LSTM)(4, {
        ...layer.getConfig(),
        dropout: 0,
        recurrentDropout: 0,
      });
      plain(x);
      layer(x);
      plain.setWeights(layer.getWeights());
      assertClose(layer(x) as Tensor, plain(x) as Tensor, { rtol: 1e-12 });
      const t1 = layer(x, { training: true }) as Tensor;
      const t2 = layer(x, { training: true }) as Tensor;
      const diff = (a: Tensor, b: Tensor) => ops.max(ops.abs(ops.subtract(a, b))).item() as number;
      assert.ok(diff(t1, plain(x) as Tensor) > 1e-3, `${layer.name}: training output equals inference`);
      assert.ok(diff(t1, t2) > 1e-6, `${layer.name}: same dropout masks in two calls`);
    }
  });
});

describe("Bidirectional", () => {
  it("names, weights and paths as Keras: bidirectional/forward_lstm/lstm_cell/kernel, then backward", () => {
    const inner = new LSTM(3, { returnSequences: true, name: "lstm_bidi" });
    const bi = new Bidirectional(inner, { name: "bidirectional_t" });
    bi(new SymbolicTensor([null, 4, 2], "float32"));
    assert.equal(bi.forwardLayer.name, "forward_lstm_bidi");
    assert.equal(bi.backwardLayer.name, "backward_lstm_bidi");
    assert.equal(bi.backwardLayer.goBackwards, true);
    assert.equal(bi.forwardLayer.zeroOutputForMask, true);
    assert.deepEqual(
      bi.weights.map((v) => [v.path, v.shape]),
      [
        ["bidirectional_t/forward_lstm_bidi/lstm_cell/kernel", [2, 12]],
        ["bidirectional_t/forward_lstm_bidi/lstm_cell/recurrent_kernel", [3, 12]],
        ["bidirectional_t/forward_lstm_bidi/lstm_cell/bias", [12]],
        ["bidirectional_t/backward_lstm_bidi/lstm_cell/kernel", [2, 12]],
        ["bidirectional_t/backward_lstm_bidi/lstm_cell/recurrent_kernel", [3, 12]],
        ["bidirectional_t/backward_lstm_bidi/lstm_cell/bias", [12]],
      ],
    );
    assert.equal(inner.built, false); // Keras copies the layer; the original stays unused.
  });

  it("a given backwardLayer; the sum equals forward + flipped backward run", () => {
    const x = randomTensor([2, 4, 2], 22);
    const fwd = new GRU(3, { returnSequences: true, dtype: "float64" });
    const bwd = new SimpleRNN(3, { returnSequences: true, goBackwards: true, dtype: "float64" });
    const bi = new Bidirectional(fwd, { mergeMode: "sum", backwardLayer: bwd });
    assert.equal(bi.backwardLayer, bwd);
    const y = bi(x) as Tensor;
    const f = bi.forwardLayer(x) as Tensor;
    const b = bwd(x) as Tensor;
    assertClose(y, ops.add(f, ops.flip(b, 1)), { rtol: 1e-12 });
    // Masks pass per output when merge mode is null.
    const mask = toTensor(
      [
        [true, true, false, false],
        [true, true, true, true],
      ],
      "bool",
    );
    const both = new Bidirectional(new LSTM(2, { returnSequences: true }), { mergeMode: null })(
      toTensor(x.toArray() as number[][][], "float32"),
      { mask },
    ) as unknown as Tensor[];
    assert.equal(both.length, 2);
    assert.equal(getMask(both[1]), mask);
  });

  it("config round trip (fromConfig) and clear errors", () => {
    const bi = new Bidirectional(new GRU(3, { resetAfter: false }), { mergeMode: "ave" });
    const config = bi.getConfig();
    assert.equal(config.mergeMode, "ave");
    assert.equal((config.layer as { className: string }).className, "GRU");
    assert.equal((config.backwardLayer as { config: { goBackwards: boolean } }).config.goBackwards, true);
    const again = Bidirectional.fromConfig(config);
    assert.deepEqual(again.getConfig(), config);
    assert.throws(
      () => new Bidirectional(new LSTM(2), { mergeMode: "max" as never }),
      /Layer 'bidirectional(_\d+)?' \(Bidirectional\): invalid merge mode, received "max"/,
    );
    assert.throws(
      () => new Bidirectional(new LSTM(2), { backwardLayer: new LSTM(2) }),
      /\(Bidirectional\): forward layer and backward layer should have different goBackwards values/,
    );
    assert.throws(
      () =>
        new Bidirectional(new LSTM(2), { backwardLayer: new LSTM(2, { goBackwards: true, returnSequences: true }) }),
      /same value for attribute "returnSequences"/,
    );
    assert.throws(
      () => new Bidirectional({} as never),
      /\(Bidirectional\): please initialize Bidirectional with a keras.layers.Layer/,
    );
    assert.throws(() => bi.resetStates(), /\(Bidirectional\): the layer must be stateful/);
  });
});

describe("TimeDistributed and Masking", () => {
  it("TimeDistributed(Dense) equals Dense applied to each timestep; paths nest as Keras", () => {
    const dense = new Dense(5, { activation: "relu", name: "dense_td", dtype: "float64" });
    const td = new TimeDistributed(dense, { name: "time_distributed_t" });
    assert.deepEqual((td(new SymbolicTensor([null, null, 3], "float64")) as SymbolicTensor).shape, [null, null, 5]);
    assert.deepEqual(
      td.weights.map((v) => v.path),
      ["time_distributed_t/dense_td/kernel", "time_distributed_t/dense_td/bias"],
    );
    const x = randomTensor([2, 4, 3], 23);
    const y = td(x) as Tensor;
    assert.deepEqual(y.shape, [2, 4, 5]);
    for (let t = 0; t < 4; t++) {
      const xt = ops.reshape(ops.slice(x, [0, t, 0], [2, 1, 3]), [2, 3]);
      assertClose(ops.reshape(ops.slice(y, [0, t, 0], [2, 1, 5]), [2, 5]), dense(xt) as Tensor, { rtol: 1e-12 });
    }
    assert.equal((td.getConfig().layer as { className: string }).className, "Dense");
    assert.throws(
      () => td(randomTensor([2, 3])),
      /Layer 'time_distributed_t' \(TimeDistributed\): TimeDistributed should be passed an input with at least 3 dimensions.*\[2, 3\]/,
    );
    assert.throws(
      () => td(x, { mask: toTensor([[true, false]], "bool") }),
      /\(TimeDistributed\): the mask passed to the TimeDistributed layer has shape \[1, 2\], incompatible with the input shape \[2, 4, 3\]/,
    );
    assert.throws(() => new TimeDistributed(3 as never), /\(TimeDistributed\): please initialize TimeDistributed/);
  });

  it("Masking: mask = any(x != maskValue, -1); masked timesteps become 0", () => {
    const m = new Masking(-1);
    const x = toTensor([
      [
        [1, -1],
        [-1, -1],
        [0, 2],
      ],
    ]);
    const y = m(x) as Tensor;
    assert.deepEqual(y.toArray(), [
      [
        [1, -1],
        [0, 0],
        [0, 2],
      ],
    ]);
    assert.deepEqual((getMask(y) as Tensor).toArray(), [[true, false, true]]);
    assert.deepEqual(m.getConfig().maskValue, -1);
    assert.equal(new Masking({ maskValue: 3 }).maskValue, 3);
    assert.equal(new Masking().maskValue, 0);
    const s = m(new SymbolicTensor([null, null, 2], "float32")) as SymbolicTensor;
    assert.deepEqual(s.shape, [null, null, 2]);
    assert.deepEqual((getMask(s) as SymbolicTensor).shape, [null, null]);
  });
});

describe("configs and errors", () => {
  it("LSTM/GRU/SimpleRNN configs carry Keras's keys (camelCase) and rebuild the same layer", () => {
    const keras = {
      LSTM: "name trainable dtype return_sequences return_state go_backwards stateful unroll zero_output_for_mask units activation recurrent_activation use_bias unit_forget_bias kernel_initializer recurrent_initializer bias_initializer kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout seed",
      GRU: "name trainable dtype return_sequences return_state go_backwards stateful unroll zero_output_for_mask units activation recurrent_activation use_bias kernel_initializer recurrent_initializer bias_initializer kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout reset_after seed",
      SimpleRNN:
        "name trainable dtype return_sequences return_state go_backwards stateful unroll zero_output_for_mask units activation use_bias kernel_initializer recurrent_initializer bias_initializer kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout",
    };
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const [cls, keys] of [
      [LSTM, keras.LSTM],
      [GRU, keras.GRU],
      [SimpleRNN, keras.SimpleRNN],
    ] as const) {
      const layer = new cls(3, { returnSequences: true, goBackwards: true, activation: "relu", dropout: 0.25 });
      const config = layer.getConfig();
      assert.deepEqual(Object.keys(config).sort(), keys.split(" ").map(camel).sort(), cls.name);
      assert.equal(config.activation, "relu");
      assert.equal(config.goBackwards, true);
      const again = cls.fromConfig(config);
      assert.deepEqual(again.getConfig(), config);
    }
    assert.equal(new GRU(2).getConfig().resetAfter, true);
    const rnn = new RNN(new LSTMCell(2, { recurrentActivation: "hard_sigmoid" }), { returnState: true });
    const rc = rnn.getConfig();
    assert.equal((rc.cell as { className: string }).className, "LSTMCell");
    assert.deepEqual(RNN.fromConfig(rc).getConfig(), rc);
  });

  it("errors name the layer and the received shapes", () => {
    const lstm = new LSTM(2, { name: "lstm_err" });
    assert.throws(
      () => lstm(randomTensor([2, 3])),
      /Layer 'lstm_err' \(LSTM\): input 0 is incompatible with the layer: expected ndim=3, found ndim=2/,
    );
    const x = randomTensor([2, 3, 4]);
    assert.throws(
      () => lstm(x, { initialState: [randomTensor([2, 2])] }),
      /Layer 'lstm_err' \(LSTM\): expected 2 initial state tensor\(s\) of shape \[batch, 2\], \[batch, 2\], received 1/,
    );
    assert.throws(
      () => lstm(x, { initialState: [randomTensor([2, 2]), randomTensor([2, 3])] }),
      /Layer 'lstm_err' \(LSTM\): initial state 1 must have shape \[2, 2\], received \[2, 3\]/,
    );
    assert.throws(
      () => lstm(x, { mask: toTensor([[true, true]], "bool") }),
      /Layer 'lstm_err' \(LSTM\): the mask must have shape \[batch, time\] = \[2, 3\] for inputs of shape \[2, 3, 4\], received \[1, 2\]/,
    );
    assert.throws(
      () => new GRU(0),
      /\(GRUCell\): received an invalid value for argument `units`, expected a positive integer, got 0/,
    );
    assert.throws(() => new RNN({} as never), /\(RNN\): argument `cell` should be a layer with a `stateSize`/);
    assert.throws(
      () => new RNN(new SimpleRNNCell(2))(randomTensor([2, 3])),
      /\(RNN\): expected inputs of rank >= 3 \[batch, time, \.\.\.features\], received shape \[2, 3\]/,
    );
    assert.throws(
      () => new SimpleRNN(2)(new SymbolicTensor([null, 3, null], "float32")),
      /\(SimpleRNN\): Layer 'simple_rnn_cell' \(SimpleRNNCell\): the last axis of the input \(the features\) must be known/,
    );
    lstm(x);
    assert.throws(
      () => lstm(randomTensor([2, 3, 5])),
      /Layer 'lstm_err' \(LSTM\): expected inputs with 4 features \(the layer was built for them\), received shape \[2, 3, 5\]/,
    );
  });
});

interface KerasFixture {
  inputs: number[][];
  outputs: number[][];
  weights: { path: string; shape: number[]; values: unknown[] }[];
}

const FIXTURE_URL = new URL("../../../../shared/fixtures/keras/rnn_embedding.json", import.meta.url);

describe("a model saved by Keras 3", () => {
  it("rnn_embedding: Embedding → LSTM(returnSequences) → GRU → Dense softmax predicts as Keras", {
    skip: !existsSync(FIXTURE_URL),
  }, () => {
    const f: KerasFixture = JSON.parse(readFileSync(FIXTURE_URL, "utf8"));
    // The architecture of rnn_embedding.keras's config.json.
    const layers: Layer[] = [
      new Embedding(50, 8, { name: "embedding" }),
      new LSTM(16, { returnSequences: true, name: "lstm" }),
      new GRU(8, { name: "gru" }),
      new Dense(3, { activation: "softmax", name: "dense_10" }),
    ];
    const run = (x: Tensor | SymbolicTensor) =>
      layers.reduce<Tensor | SymbolicTensor>((h, l) => l(h as Tensor) as Tensor | SymbolicTensor, x);
    assert.deepEqual(run(new SymbolicTensor([null, 10], "int32")).shape, [null, 3]);
    const vars = layers.flatMap((l) => l.weights);
    assert.deepEqual(
      vars.map((v) => [v.path, v.shape]),
      f.weights.map((w) => [w.path, w.shape]),
    );
    vars.forEach((v, i) => {
      v.assign(toTensor(f.weights[i].values as number[], "float32"));
    });
    const y = run(toTensor(f.inputs, "int32")) as Tensor;
    assertClose(y, toTensor(f.outputs, "float64"), { rtol: 1e-5, atol: 1e-7 });
  });
});

describe("training through fit", () => {
  it("Sequential(Embedding maskZero → Bidirectional(LSTM) → Dense) learns whether token 3 occurs", async () => {
    const { Sequential } = await import("../../models/sequential.js");
    const { setRandomSeed } = await import("../../random/seed_generator.js");
    setRandomSeed(1);
    const N = 256;
    const T = 8;
    const xs: number[][] = [];
    const ys: number[] = [];
    let s = 7;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    for (let i = 0; i < N; i++) {
      const len = 2 + Math.floor(rnd() * (T - 2));
      const row = Array.from({ length: T }, (_, t) => (t < len ? 1 + Math.floor(rnd() * 5) : 0));
      xs.push(row);
      ys.push(row.includes(3) ? 1 : 0);
    }
    const model = new Sequential([
      new Embedding(6, 8, { maskZero: true, inputShape: [T] }),
      new Bidirectional(new LSTM(8)),
      new Dense(1, { activation: "sigmoid" }),
    ]);
    model.compile({ optimizer: "adam", loss: "binary_crossentropy" });
    const h = await model.fit(toTensor(xs, "int32"), toTensor(ys, "float32"), {
      epochs: 15,
      batchSize: 32,
      verbose: 0,
    });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1] < 0.8 * loss[0], `loss ${loss.map((l) => l.toFixed(3)).join(" ")}`);
  });
});
