import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { Embedding } from "../core/embedding.js";
import { Input } from "../core/input_layer.js";
import { getMask, setMask } from "../mask.js";
import { MultiHeadAttention } from "./multi_head_attention.js";

interface MhaCase {
  name: string;
  numHeads: number;
  keyDim: number;
  valueDim: number;
  query: number[];
  value: number[];
  key: number[] | null;
  weights: number[][];
  attentionMask?: boolean[];
  queryMask?: number[][];
  valueMask?: number[][];
  useCausalMask?: boolean;
  outputShape?: number[];
  attentionAxes?: number[];
  output: number[];
  scores: number[];
}

const fixtures = JSON.parse(readFileSync(new URL("./attention.fixtures.json", import.meta.url), "utf8"));
const f64 = (x: unknown) => ops.convertToTensor(x as number[], "float64");
const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");

describe("MultiHeadAttention", () => {
  it("has Keras's sublayers and weights: names, shapes and order", () => {
    const mha = new MultiHeadAttention(2, 3, { valueDim: 4 });
    mha(ops.zeros([1, 5, 6]), { value: ops.zeros([1, 7, 8]) });
    assert.deepEqual(
      mha.weights.map((w) => [w.path, w.shape]),
      [
        ["query/kernel", [6, 2, 3]],
        ["query/bias", [2, 3]],
        ["key/kernel", [8, 2, 3]],
        ["key/bias", [2, 3]],
        ["value/kernel", [8, 2, 4]],
        ["value/bias", [2, 4]],
        ["attention_output/kernel", [2, 4, 6]],
        ["attention_output/bias", [6]],
      ],
    );
    assert.equal(mha.queryDense.equation, "abc,cde->abde");
    assert.equal(mha.outputDense.equation, "abcd,cde->abe");
    const noBias = new MultiHeadAttention(1, 2, { useBias: false, useGate: true });
    noBias([ops.zeros([1, 2, 3]), ops.zeros([1, 2, 3])]);
    assert.deepEqual(
      noBias.weights.map((w) => w.path),
      ["query/kernel", "key/kernel", "gate/kernel", "value/kernel", "attention_output/kernel"],
    );
  });

  it("matches the NumPy fixtures (attention masks, causal masks, query/value masks, separate key, attention axes)", () => {
    for (const c of fixtures.mha as MhaCase[]) {
      const mha = new MultiHeadAttention(c.numHeads, c.keyDim, {
        valueDim: c.valueDim,
        outputShape: c.outputShape ?? null,
        attentionAxes: c.attentionAxes ?? null,
        dtype: "float64",
      });
      const query = f64(c.query);
      const value = f64(c.value);
      const key = c.key ? f64(c.key) : undefined;
      if (c.queryMask) setMask(query, ops.convertToTensor(c.queryMask, "bool"));
      if (c.valueMask) setMask(value, ops.convertToTensor(c.valueMask, "bool"));
      mha(query, { value, key });
      mha.setWeights(c.weights.map(f64));
      const [out, scores] = mha(query, {
        value,
        key,
        attentionMask: c.attentionMask ? ops.convertToTensor(c.attentionMask, "bool") : null,
        useCausalMask: c.useCausalMask,
        returnAttentionScores: true,
      }) as unknown as Tensor[];
      assertClose(out, f64(c.output), { rtol: 1e-9, atol: 1e-9 });
      assertClose(scores, f64(c.scores), { rtol: 1e-9, atol: 1e-9 });
      // The output keeps the query's mask; the scores carry none.
      assert.equal(getMask(out) !== null, c.queryMask !== undefined, c.name);
      assert.equal(getMask(scores), null);
    }
  });

  it("list inputs [query, value, key] give the same result as options", () => {
    const c = (fixtures.mha as MhaCase[])[1];
    const mha = new MultiHeadAttention(c.numHeads, c.keyDim, {
      valueDim: c.valueDim,
      outputShape: c.outputShape,
      dtype: "float64",
    });
    const [q, v, k] = [f64(c.query), f64(c.value), f64(c.key)];
    mha([q, v, k]);
    mha.setWeights(c.weights.map(f64));
    assertClose(mha([q, v, k]) as Tensor, f64(c.output), { rtol: 1e-9, atol: 1e-9 });
    assertClose(mha(q, { value: v, key: k }) as Tensor, f64(c.output), { rtol: 1e-9, atol: 1e-9 });
  });

  it("causal mask: changing later steps leaves earlier outputs unchanged", () => {
    const mha = new MultiHeadAttention(2, 4, { dtype: "float64" });
    const x = randomTensor([1, 5, 3], 1);
    const y1 = mha(x, { value: x, useCausalMask: true }) as Tensor;
    const x2 = ops.concatenate([ops.slice(x, [0, 0, 0], [1, 3, 3]), randomTensor([1, 2, 3], 2)], 1) as Tensor;
    const y2 = mha(x2, { value: x2, useCausalMask: true }) as Tensor;
    assertClose(ops.slice(y2, [0, 0, 0], [1, 3, 3]) as Tensor, ops.slice(y1, [0, 0, 0], [1, 3, 3]) as Tensor, {
      rtol: 1e-12,
      atol: 1e-12,
    });
    const y3 = mha(x2, { value: x2 }) as Tensor;
    assert.ok(Math.abs(y3.data[0] - y2.data[0]) > 1e-6, "without the causal mask, step 0 sees later steps");
  });

  it("symbolic shapes keep null batch and time; scores are [batch, heads, T, S]", () => {
    const mha = new MultiHeadAttention(4, 8, { outputShape: 10 });
    const q = sym([null, null, 16]);
    const v = sym([null, 7, 12]);
    const y = mha(q, { value: v });
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, null, 10]);
    const [o, s] = mha([q, v], { returnAttentionScores: true }) as unknown as SymbolicTensor[];
    assert.deepEqual(o.shape, [null, null, 10]);
    assert.deepEqual(s.shape, [null, 4, null, 7]);
    const m2 = new MultiHeadAttention(2, 3, { attentionAxes: [1, 2] });
    const [, s2] = m2(sym([null, 2, 3, 5]), {
      value: sym([null, 4, 6, 5]),
      returnAttentionScores: true,
    }) as unknown as SymbolicTensor[];
    assert.deepEqual(s2.shape, [null, 2, 2, 3, 4, 6]);
  });

  it("works in a functional model: value and attention mask are graph inputs; Embedding masks reach it", async () => {
    const { Model } = await import("../../models/model.js");
    const tokens = Input({ shape: [null], dtype: "int32" });
    const other = Input({ shape: [4, 6] });
    const amask = Input({ shape: [null, 4], dtype: "bool" });
    const emb = new Embedding(10, 6, { maskZero: true });
    const x = emb(tokens);
    const mha = new MultiHeadAttention(2, 3);
    const y = mha(x, { value: other, attentionMask: amask });
    assert.deepEqual(y.shape, [null, null, 6]);
    const model = new Model({ inputs: [tokens, other, amask], outputs: y });
    const tk = ops.convertToTensor([[3, 1, 0]], "int32");
    const ov = randomTensor([1, 4, 6], 3);
    const am = ops.convertToTensor(
      [
        [
          [true, true, false, true],
          [true, false, true, true],
          [true, true, true, true],
        ],
      ],
      "bool",
    );
    const got = model.predict([tk, ops.cast(ov, "float32"), am]) as Tensor;
    const direct = mha(emb(tk), { value: ops.cast(ov, "float32"), attentionMask: am }) as Tensor;
    assertClose(got, direct, { rtol: 1e-6, atol: 1e-6 });
    // The query's padding (token 0) masks its row: that output row differs from an unmasked call.
    const unmasked = mha(ops.cast(emb.call(tk, {}) as Tensor, "float32"), {
      value: ops.cast(ov, "float32"),
      attentionMask: am,
    }) as Tensor;
    assertClose(ops.slice(got, [0, 0, 0], [1, 2, 6]) as Tensor, ops.slice(unmasked, [0, 0, 0], [1, 2, 6]) as Tensor);
    assert.ok(Math.abs(got.data[12] - unmasked.data[12]) > 1e-7, "masked query row");
  });

  it("dropout acts in training only", () => {
    const mha = new MultiHeadAttention(2, 3, { dropout: 0.5, seed: 1 });
    const x = randomTensor([2, 4, 5], 4);
    const a = mha(x, { value: x }) as Tensor;
    const b = mha(x, { value: x }) as Tensor;
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    const c = mha(x, { value: x, training: true }) as Tensor;
    assert.notDeepEqual(Array.from(c.data), Array.from(a.data));
  });

  it("gradients with respect to inputs and all weights (float64, with masks)", () => {
    const mha = new MultiHeadAttention(2, 2, { valueDim: 3, dtype: "float64" });
    const q = randomTensor([1, 3, 4], 5);
    const v = randomTensor([1, 4, 5], 6);
    const am = ops.convertToTensor(
      [
        [
          [1, 1, 0, 1],
          [0, 1, 1, 1],
          [1, 1, 1, 0],
        ],
      ],
      "bool",
    );
    mha(q, { value: v });
    const ws = mha.getWeights().map((w, i) => randomTensor(w.shape as number[], 10 + i, -0.8, 0.8));
    checkGrad(
      (qi, vi, ...w) => {
        mha.setWeights(w);
        return mha(qi, { value: vi, attentionMask: am, useCausalMask: true }) as Tensor;
      },
      [q, v, ...ws],
      { rtol: 1e-4, atol: 1e-6 },
    );
  });

  it("getConfig keys and values", () => {
    const mha = new MultiHeadAttention(2, 3, { name: "mha", dropout: 0.1, outputShape: 7, attentionAxes: -2 });
    const c = mha.getConfig();
    assert.deepEqual(Object.keys(c), [
      "name",
      "trainable",
      "dtype",
      "numHeads",
      "keyDim",
      "valueDim",
      "dropout",
      "useBias",
      "useGate",
      "outputShape",
      "attentionAxes",
      "slidingWindow",
      "kernelInitializer",
      "biasInitializer",
      "kernelRegularizer",
      "biasRegularizer",
      "activityRegularizer",
      "kernelConstraint",
      "biasConstraint",
      "seed",
    ]);
    assert.deepEqual([c.numHeads, c.keyDim, c.valueDim, c.outputShape, c.attentionAxes], [2, 3, 3, [7], [-2]]);
    mha(ops.zeros([1, 2, 4]), { value: ops.zeros([1, 2, 4]) });
    // As Keras, the axes are normalized at build.
    assert.deepEqual(mha.getConfig().attentionAxes, [1]);
  });

  it("errors name the layer", () => {
    assert.throws(
      () => new MultiHeadAttention(0, 2, { name: "m0" }),
      /Layer 'm0' \(MultiHeadAttention\): numHeads must be a positive integer, received numHeads=0/,
    );
    assert.throws(
      () => new MultiHeadAttention(2, 1.5, { name: "m1" }),
      /Layer 'm1' \(MultiHeadAttention\): keyDim must be a positive integer/,
    );
    assert.throws(
      () => new MultiHeadAttention(2, 2, { name: "m2" })(ops.zeros([1, 2, 3])),
      /Layer 'm2' \(MultiHeadAttention\): the value tensor is missing: call mha\(query, \{ value \}\)/,
    );
    assert.throws(
      () =>
        new MultiHeadAttention(2, 2, { name: "m3" })(ops.zeros([1, 2, 3]), {
          value: ops.zeros([1, 4, 3]),
          key: ops.zeros([1, 5, 3]),
        }),
      /Layer 'm3' \(MultiHeadAttention\): all dimensions of value and key, except the last one, must be equal; received value shape \[1, 4, 3\] and key shape \[1, 5, 3\]/,
    );
    assert.throws(
      () => new MultiHeadAttention(2, 2, { name: "m4" })([ops.zeros([1, 2, 3])]),
      /Layer 'm4' \(MultiHeadAttention\): call it as mha\(query, \{ value, key\? \}\) or mha\(\[query, value\]\)/,
    );
  });
});

describe("MultiHeadAttention fromConfig", () => {
  it("rebuilds the layer from getConfig(); the copy has the same weight shapes", () => {
    const mha = new MultiHeadAttention(2, 3, {
      valueDim: 4,
      dropout: 0.1,
      outputShape: [5],
      kernelInitializer: "he_normal",
      kernelRegularizer: "l2",
      slidingWindow: 2,
      seed: 7,
    });
    mha(ops.zeros([1, 3, 6]), { value: ops.zeros([1, 4, 6]) });
    const copy = MultiHeadAttention.fromConfig(mha.getConfig());
    assert.deepEqual(copy.getConfig(), mha.getConfig());
    copy(ops.zeros([1, 3, 6]), { value: ops.zeros([1, 4, 6]) });
    assert.deepEqual(
      copy.weights.map((w) => w.shape),
      mha.weights.map((w) => w.shape),
    );
  });
});
