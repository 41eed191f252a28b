/**
 * Recurrent layers against Keras 3's formulas (rnn.fixtures.json from scripts/fixtures/rnn.py,
 * which also checks each case against Python Keras when it is installed), shapes, masks, states.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, randomTensor } from "../../testing/gradcheck.js";
import type { Layer } from "../layer.js";
import { getMask } from "../mask.js";
import { Bidirectional, type MergeMode } from "./bidirectional.js";
import { GRU } from "./gru.js";
import { LSTM } from "./lstm.js";
import type { RNN } from "./rnn.js";
import { SimpleRNN } from "./simple_rnn.js";

interface Case {
  name: string;
  layer: "SimpleRNN" | "LSTM" | "GRU" | "Bidirectional";
  inner?: "LSTM" | "GRU";
  units: number;
  args?: Record<string, unknown>;
  mergeMode?: MergeMode;
  inputs: number[][][];
  mask: boolean[][] | null;
  initialState: number[][][] | null;
  weights: unknown[];
  outputs: unknown[];
}

const FIXTURES: { cases: Case[] } = JSON.parse(readFileSync(new URL("./rnn.fixtures.json", import.meta.url), "utf8"));

const CLASSES = { SimpleRNN, LSTM, GRU };

function makeLayer(c: Case, dtype: "float32" | "float64"): RNN | Bidirectional {
  if (c.layer === "Bidirectional") {
    const inner = new CLASSES[c.inner as "LSTM"](c.units, { returnSequences: true, returnState: true, dtype });
    return new Bidirectional(inner, { mergeMode: c.mergeMode ?? null, dtype });
  }
  return new CLASSES[c.layer](c.units, { ...(c.args ?? {}), dtype });
}

function runCase(c: Case, dtype: "float32" | "float64"): Tensor[] {
  const layer = makeLayer(c, dtype);
  const x = toTensor(c.inputs, dtype);
  const mask = c.mask ? toTensor(c.mask, "bool") : null;
  const initialState = c.initialState ? c.initialState.map((s) => toTensor(s, dtype)) : undefined;
  layer(x, { mask, initialState });
  layer.setWeights(c.weights.map((w) => toTensor(w as number[], dtype)));
  const out = layer(x, { mask, initialState }) as Tensor | Tensor[];
  return Array.isArray(out) ? out : [out];
}

describe("recurrent layers match Keras's formulas (NumPy fixtures, checked against Keras 3)", () => {
  for (const c of FIXTURES.cases) {
    it(`${c.name}: output and final states (float64 exact, float32 to rounding)`, () => {
      const out64 = runCase(c, "float64");
      assert.equal(out64.length, c.outputs.length);
      out64.forEach((o, i) => {
        assertClose(o, c.outputs[i] as number[], { rtol: 1e-10, atol: 1e-12 });
      });
      const out32 = runCase(c, "float32");
      out32.forEach((o, i) => {
        assert.equal(o.dtype, "float32");
        assertClose(o, c.outputs[i] as number[], { rtol: 1e-5, atol: 1e-6 });
      });
    });
  }

  it("the fixtures exercise masks: masked LSTM outputs differ from unmasked ones", () => {
    const c = FIXTURES.cases.find((k) => k.name === "lstm_masked") as Case;
    const masked = runCase(c, "float64")[0];
    const plain = runCase({ ...c, mask: null }, "float64")[0];
    assert.ok((ops.max(ops.abs(ops.subtract(masked, plain))).item() as number) > 0.1);
  });
});

describe("output shapes (symbolic, null batch and time)", () => {
  const input = () => new SymbolicTensor([null, null, 3], "float32");
  for (const [name, make, nStates] of [
    ["SimpleRNN", (a: object) => new SimpleRNN(5, a), 1],
    ["LSTM", (a: object) => new LSTM(5, a), 2],
    ["GRU", (a: object) => new GRU(5, a), 1],
  ] as const) {
    it(`${name}: returnSequences, returnState, goBackwards`, () => {
      assert.deepEqual((make({})(input()) as SymbolicTensor).shape, [null, 5]);
      assert.deepEqual((make({ returnSequences: true })(input()) as SymbolicTensor).shape, [null, null, 5]);
      assert.deepEqual((make({ goBackwards: true })(input()) as SymbolicTensor).shape, [null, 5]);
      const out = make({ returnSequences: true, returnState: true })(input()) as unknown as SymbolicTensor[];
      assert.ok(Array.isArray(out));
      assert.equal(out.length, 1 + nStates);
      assert.deepEqual(
        out.map((t) => t.shape),
        [[null, null, 5], ...Array.from({ length: nStates }, () => [null, 5])],
      );
      const fixed = make({ returnSequences: true })(new SymbolicTensor([4, 7, 3], "float32")) as SymbolicTensor;
      assert.deepEqual(fixed.shape, [4, 7, 5]);
    });
  }

  it("Bidirectional: each merge mode, with and without returnState", () => {
    const x = input();
    const shapes = (m: MergeMode, rs: boolean) => {
      const out = new Bidirectional(new LSTM(4, { returnSequences: rs, returnState: true }), { mergeMode: m })(x);
      return (out as unknown as SymbolicTensor[]).map((t) => t.shape);
    };
    assert.deepEqual(shapes("concat", true), [
      [null, null, 8],
      [null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
    ]);
    assert.deepEqual(shapes("sum", false), [
      [null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
    ]);
    assert.deepEqual(shapes(null, true), [
      [null, null, 4],
      [null, null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
      [null, 4],
    ]);
    const y = new Bidirectional(new GRU(4))(x) as SymbolicTensor;
    assert.deepEqual(y.shape, [null, 8]);
  });
});

describe("masks", () => {
  /** Runs `layer` on each sample's first `len` steps alone: what masking trailing steps must equal. */
  function truncatedRuns(layer: Layer, x: Tensor, lengths: number[]): Tensor[] {
    return lengths.map((len, b) => {
      const xb = ops.slice(x, [b, 0, 0], [1, len, x.shape[2]]);
      return layer(xb) as Tensor;
    });
  }

  for (const [name, make] of [
    ["LSTM", () => new LSTM(4, { dtype: "float64" })],
    ["GRU", () => new GRU(4, { dtype: "float64" })],
    ["GRU resetAfter=false", () => new GRU(4, { resetAfter: false, dtype: "float64" })],
  ] as const) {
    it(`${name}: trailing masked steps give the unmasked run on the truncated sequence`, () => {
      const layer = make();
      const x = randomTensor([3, 6, 2], 3);
      const lengths = [6, 2, 4];
      const mask = toTensor(
        lengths.map((n) => Array.from({ length: 6 }, (_, t) => t < n)),
        "bool",
      );
      const masked = layer(x, { mask }) as Tensor;
      const unmasked = layer(x) as Tensor;
      truncatedRuns(layer, x, lengths).forEach((want, b) => {
        assertClose(ops.slice(masked, [b, 0], [1, 4]), want, { rtol: 1e-12, atol: 1e-14 });
      });
      // Sample 0 is not masked; the others differ from the unmasked run.
      assertClose(ops.slice(masked, [0, 0], [1, 4]), ops.slice(unmasked, [0, 0], [1, 4]), { rtol: 1e-12 });
      assert.ok((ops.max(ops.abs(ops.subtract(masked, unmasked))).item() as number) > 1e-3);
    });
  }

  it("LSTM with goBackwards and leading padding (pre-padded sequences) equals the truncated backward run", () => {
    const layer = new LSTM(3, { goBackwards: true, dtype: "float64" });
    const x = randomTensor([2, 5, 2], 4);
    const mask = toTensor(
      [
        [false, false, true, true, true],
        [true, true, true, true, true],
      ],
      "bool",
    );
    const y = layer(x, { mask }) as Tensor;
    const want = layer(ops.slice(x, [0, 2, 0], [1, 3, 2])) as Tensor;
    assertClose(ops.slice(y, [0, 0], [1, 3]), want, { rtol: 1e-12 });
  });

  it("masks reach the layer from Embedding({ maskZero }) and from Masking; sequences keep the mask", async () => {
    const { Embedding } = await import("../core/embedding.js");
    const { Masking } = await import("../core/masking.js");
    const emb = new Embedding(10, 3, { maskZero: true, dtype: "float64" });
    const lstm = new LSTM(4, { returnSequences: true, dtype: "float64" });
    const ids = toTensor(
      [
        [3, 5, 0, 0],
        [1, 2, 7, 9],
      ],
      "int32",
    );
    const seq = lstm(emb(ids)) as Tensor;
    const outMask = getMask(seq) as Tensor;
    assert.deepEqual(outMask.toArray(), [
      [true, true, false, false],
      [true, true, true, true],
    ]);
    // Masked steps repeat the last unmasked output.
    assertClose(ops.slice(seq, [0, 2, 0], [1, 1, 4]), ops.slice(seq, [0, 1, 0], [1, 1, 4]), { rtol: 0 });
    assertClose(ops.slice(seq, [0, 3, 0], [1, 1, 4]), ops.slice(seq, [0, 1, 0], [1, 1, 4]), { rtol: 0 });

    // The same through Masking on values that are 0 at the padded steps.
    const lstm2 = new LSTM(4, { dtype: "float64" });
    const keep = ops.notEqual(ids, 0);
    const embedded = ops.where(ops.expandDims(keep, -1), emb(ids) as Tensor, 0);
    const viaMasking = lstm2(new Masking(0)(embedded)) as Tensor;
    const direct = lstm2(embedded, { mask: keep }) as Tensor;
    const unmasked = lstm2(embedded, { mask: null }) as Tensor;
    assert.ok((ops.max(ops.abs(ops.subtract(direct, unmasked))).item() as number) > 1e-4);
    assertClose(viaMasking, direct, { rtol: 0 });
    // The last output of a returnSequences=false layer has no mask.
    assert.equal(getMask(viaMasking), null);
  });

  it("masked steps before any unmasked one output zeros while the states keep a given initial state", () => {
    const layer = new SimpleRNN(2, { returnSequences: true, returnState: true, dtype: "float64" });
    const x = randomTensor([1, 3, 2], 5);
    const h0 = toTensor([[0.5, -0.5]], "float64");
    const mask = toTensor([[false, true, true]], "bool");
    const [seq, h] = layer(x, { mask, initialState: [h0] }) as unknown as Tensor[];
    assertClose(ops.slice(seq, [0, 0, 0], [1, 1, 2]), [[[0, 0]]], { rtol: 0 });
    // From step 1 on the run continues from h0, as without the masked step.
    const [seq2, h2] = layer(ops.slice(x, [0, 1, 0], [1, 2, 2]), { initialState: [h0] }) as unknown as Tensor[];
    assertClose(ops.slice(seq, [0, 1, 0], [1, 2, 2]), seq2, { rtol: 1e-12 });
    assertClose(h, h2, { rtol: 1e-12 });
  });
});

describe("states", () => {
  it("stateful: two halves give the whole sequence's run; resetStates starts over; states are not weights", () => {
    const layer = new GRU(3, { stateful: true, returnSequences: true, dtype: "float64" });
    const x = randomTensor([2, 6, 2], 6);
    const first = layer(ops.slice(x, [0, 0, 0], [2, 3, 2])) as Tensor;
    const second = layer(ops.slice(x, [0, 3, 0], [2, 3, 2])) as Tensor;
    assert.equal(layer.weights.length, 3);
    assert.deepEqual(
      layer.states?.map((v) => [v.path, v.shape, v.trainable]),
      [[`${layer.name}/rnn_state`, [2, 3], false]],
    );
    const whole = new GRU(3, { returnSequences: true, dtype: "float64" });
    whole(x);
    whole.setWeights(layer.getWeights());
    const all = whole(x) as Tensor;
    assertClose(ops.concatenate([first, second], 1), all, { rtol: 1e-12 });
    layer.resetStates();
    assertClose(layer(ops.slice(x, [0, 0, 0], [2, 3, 2])) as Tensor, first, { rtol: 0 });
    assert.throws(
      () => layer(randomTensor([3, 2, 2])),
      /Layer 'gru(_\d+)?' \(GRU\).*batch size.*Expected batch size: 2, received batch size: 3/,
    );
  });

  it("stateful needs a static batch size", () => {
    assert.throws(
      () => new LSTM(2, { stateful: true })(new SymbolicTensor([null, 4, 3], "float32")),
      /Layer 'lstm(_\d+)?' \(LSTM\): when using stateful=true in a RNN, the batch size must be static.*\[\?, 4, 3\]|\[null, 4, 3\]/,
    );
  });

  it("symbolic initial states become graph inputs of a functional model", async () => {
    const { Input } = await import("../core/input_layer.js");
    const { Model } = await import("../../models/model.js");
    const seq = Input({ shape: [null, 3] });
    const h0 = Input({ shape: [4] });
    const c0 = Input({ shape: [4] });
    const lstm = new LSTM(4, { returnState: true });
    const outs = lstm(seq, { initialState: [h0, c0] }) as unknown as SymbolicTensor[];
    assert.deepEqual(
      outs.map((t) => t.shape),
      [
        [null, 4],
        [null, 4],
        [null, 4],
      ],
    );
    const model = new Model({ inputs: [seq, h0, c0], outputs: outs[0] });
    const x = toTensor(randomTensor([2, 5, 3], 7).toArray() as number[][][], "float32");
    const h = toTensor(randomTensor([2, 4], 8).toArray() as number[][], "float32");
    const c = toTensor(randomTensor([2, 4], 9).toArray() as number[][], "float32");
    const viaModel = model([x, h, c]) as unknown as Tensor;
    const direct = (lstm(x, { initialState: [h, c] }) as unknown as Tensor[])[0];
    assertClose(viaModel, direct, { rtol: 1e-6 });
    const zeroInit = (lstm(x) as unknown as Tensor[])[0];
    assert.ok((ops.max(ops.abs(ops.subtract(direct, zeroInit))).item() as number) > 1e-3);
  });
});
