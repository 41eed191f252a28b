import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { getMask, setMask } from "../mask.js";
import { AdditiveAttention } from "./additive_attention.js";
import { Attention } from "./attention.js";

interface AttCase {
  name: string;
  kind: "dot" | "concat" | "additive";
  query: number[];
  value: number[];
  key: number[] | null;
  scale?: number | number[];
  concatScoreWeight?: number;
  queryMask?: number[][];
  valueMask?: number[][];
  useCausalMask?: boolean;
  output: number[];
  scores: number[];
}

const fixtures = JSON.parse(readFileSync(new URL("./attention.fixtures.json", import.meta.url), "utf8"));
const f64 = (x: unknown) => ops.convertToTensor(x as number[], "float64");
const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");

function makeLayer(c: AttCase): Attention {
  if (c.kind === "additive") return new AdditiveAttention({ useScale: c.scale !== undefined, dtype: "float64" });
  return new Attention({ useScale: c.scale !== undefined, scoreMode: c.kind, dtype: "float64" });
}

describe("Attention and AdditiveAttention", () => {
  it("match the NumPy fixtures (dot, scaled, concat, additive; query/value masks; causal mask)", () => {
    for (const c of fixtures.attention as AttCase[]) {
      const layer = makeLayer(c);
      const inputs = [f64(c.query), f64(c.value), ...(c.key ? [f64(c.key)] : [])];
      layer(inputs);
      const ws: Tensor[] = [];
      if (c.scale !== undefined) ws.push(f64(c.scale));
      if (c.concatScoreWeight !== undefined) ws.push(f64(c.concatScoreWeight));
      layer.setWeights(ws);
      const mask =
        c.queryMask || c.valueMask
          ? [
              c.queryMask ? ops.convertToTensor(c.queryMask, "bool") : null,
              c.valueMask ? ops.convertToTensor(c.valueMask, "bool") : null,
            ]
          : undefined;
      const [out, scores] = layer(inputs, {
        mask,
        useCausalMask: c.useCausalMask,
        returnAttentionScores: true,
      }) as unknown as Tensor[];
      assertClose(out, f64(c.output), { rtol: 1e-9, atol: 1e-9 });
      assertClose(scores, f64(c.scores), { rtol: 1e-9, atol: 1e-9 });
    }
  });

  it("takes masks attached to the inputs; the output keeps the query mask", () => {
    const c = (fixtures.attention as AttCase[]).find((x) => x.name === "dot, masks") as AttCase;
    const q = f64(c.query);
    const v = f64(c.value);
    const qm = ops.convertToTensor(c.queryMask as number[][], "bool");
    setMask(q, qm);
    setMask(v, ops.convertToTensor(c.valueMask as number[][], "bool"));
    const layer = new Attention({ dtype: "float64" });
    const out = layer([q, v]) as Tensor;
    assertClose(out, f64(c.output), { rtol: 1e-9, atol: 1e-9 });
    assert.equal(getMask(out), qm);
  });

  it("weights: Attention's scalar scale and concat_score_weight, AdditiveAttention's scale [dim]", () => {
    const a = new Attention({ useScale: true, scoreMode: "concat" });
    a([ops.zeros([1, 2, 3]), ops.zeros([1, 4, 3])]);
    assert.deepEqual(
      a.weights.map((w) => [w.name, w.shape, Array.from(w.peek().data)]),
      [
        ["scale", [], [1]],
        ["concat_score_weight", [], [1]],
      ],
    );
    const b = new AdditiveAttention();
    b([ops.zeros([1, 2, 5]), ops.zeros([1, 4, 5])]);
    assert.deepEqual(
      b.weights.map((w) => [w.name, w.shape]),
      [["scale", [5]]],
    );
    assert.equal(new AdditiveAttention({ useScale: false }).weights.length, 0);
  });

  it("symbolic shapes: [batch, Tq, dim_v] and scores [batch, Tq, Tv] with null dims", () => {
    const q = sym([null, null, 8]);
    const v = sym([null, 5, 8]);
    assert.deepEqual(new Attention()([q, v]).shape, [null, null, 8]);
    const [o, s] = new AdditiveAttention()([q, v, sym([null, 5, 8])], {
      returnAttentionScores: true,
      useCausalMask: true,
    }) as unknown as SymbolicTensor[];
    assert.deepEqual(o.shape, [null, null, 8]);
    assert.deepEqual(s.shape, [null, null, 5]);
  });

  it("dropout acts on the attention weights in training only", () => {
    const layer = new Attention({ dropout: 0.5, seed: 3 });
    const q = randomTensor([2, 3, 4], 1);
    const v = randomTensor([2, 5, 4], 2);
    const inference = layer([q, v]) as Tensor;
    assertClose(inference, new Attention()([q, v]) as Tensor);
    const [, w] = layer([q, v], { training: true, returnAttentionScores: true }) as unknown as Tensor[];
    // The returned scores are the weights before dropout; the outputs use the dropped weights.
    assertClose(ops.sum(w, -1) as Tensor, ops.ones([2, 3], "float64"), { atol: 1e-12 });
    assert.notDeepEqual(Array.from((layer([q, v], { training: true }) as Tensor).data), Array.from(inference.data));
  });

  it("gradients through inputs and weights (float64, masks and causal)", () => {
    const q = randomTensor([1, 3, 4], 3);
    const v = randomTensor([1, 3, 4], 4);
    const k = randomTensor([1, 3, 4], 5);
    const vm = ops.convertToTensor([[true, false, true]], "bool");
    for (const layer of [
      new Attention({ useScale: true, dtype: "float64" }),
      new Attention({ useScale: true, scoreMode: "concat", dtype: "float64" }),
      new AdditiveAttention({ dtype: "float64" }),
    ]) {
      layer([q, v, k]);
      const ws = layer.getWeights().map((w, i) => randomTensor(w.shape as number[], 20 + i, 0.5, 1.5));
      checkGrad(
        (qi, vi, ki, ...w) => {
          layer.setWeights(w);
          return layer([qi, vi, ki], { mask: [null, vm], useCausalMask: true }) as Tensor;
        },
        [q, v, k, ...ws],
        { rtol: 1e-4 },
      );
    }
  });

  it("getConfig keys (AdditiveAttention drops scoreMode)", () => {
    assert.deepEqual(Object.keys(new Attention().getConfig()), [
      "name",
      "trainable",
      "dtype",
      "useScale",
      "scoreMode",
      "dropout",
      "seed",
    ]);
    const c = new AdditiveAttention({ name: "add" }).getConfig();
    assert.deepEqual(c, { name: "add", trainable: true, dtype: "float32", useScale: true, dropout: 0, seed: null });
  });

  it("errors name the layer", () => {
    assert.throws(
      () => new Attention({ name: "a1" })(ops.zeros([1, 2, 3])),
      /Layer 'a1' \(Attention\): Attention layer must be called on a list of inputs, namely \[query, value\] or \[query, value, key\]/,
    );
    assert.throws(
      () => new AdditiveAttention({ name: "a2" })([ops.zeros([1, 2, 3])]),
      /Layer 'a2' \(AdditiveAttention\): AdditiveAttention layer accepts inputs list of length 2 or 3.*received length 1/,
    );
    assert.throws(
      () => new Attention({ name: "a3", scoreMode: "sum" as "dot" }),
      /Layer 'a3' \(Attention\): invalid value for argument scoreMode: expected one of "dot", "concat", received scoreMode="sum"/,
    );
    assert.throws(
      () => new Attention({ name: "a4" })([ops.zeros([1, 2, 3]), ops.zeros([1, 4, 5])]),
      /Layer 'a4' \(Attention\): query and key must have the same last dimension, received query shape \[1, 2, 3\], value shape \[1, 4, 5\]/,
    );
    assert.throws(
      () => new Attention({ name: "a5" })([ops.zeros([1, 2, 3]), ops.zeros([1, 4, 3])], { mask: [null] }),
      /Layer 'a5' \(Attention\): Attention layer mask must be a list of length 2 or 3/,
    );
  });
});

describe("Attention fromConfig", () => {
  it("rebuilds Attention and AdditiveAttention from getConfig()", () => {
    for (const l of [
      new Attention({ useScale: true, scoreMode: "concat", dropout: 0.2, seed: 4 }),
      new AdditiveAttention({ useScale: false }),
    ]) {
      const cls = l.constructor as unknown as { fromConfig(c: Record<string, unknown>): typeof l };
      const copy = cls.fromConfig(l.getConfig());
      assert.equal(copy.constructor, l.constructor);
      assert.deepEqual(copy.getConfig(), l.getConfig());
    }
  });
});
