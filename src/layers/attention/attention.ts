import type { DType } from "../../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Variable } from "../../backend/variable.js";
import { arange } from "../../ops/creation.js";
import {
  add,
  lessEqual,
  logicalAnd,
  logicalNot,
  multiply,
  notEqual,
  subtract,
  tanh,
  where,
} from "../../ops/elementwise.js";
import { matmul } from "../../ops/linalg.js";
import { softmax } from "../../ops/nn/activations.js";
import { sum } from "../../ops/reduction.js";
import { expandDims, reshape, transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { dropout } from "../../random/dropout.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs, type LayerInput } from "../layer.js";

export interface AttentionArgs extends LayerArgs {
  /** Learn a scalar that scales the scores (Keras's use_scale; default false). */
  useScale?: boolean;
  /** "dot" (query · keyᵀ, default) or "concat" (Σ tanh(query + key)). */
  scoreMode?: "dot" | "concat";
  /** Fraction of the attention weights dropped while training. */
  dropout?: number;
  seed?: number | null;
}

/** Options of an attention call, besides `training` and `mask` ([queryMask, valueMask]). */
export interface AttentionCallOptions extends CallOptions {
  returnAttentionScores?: boolean;
  /** Position i may only attend to positions j <= i. */
  useCausalMask?: boolean;
}

/** A mask as booleans (masks may come as 0/1 numbers). */
export function boolMask(m: AnyTensor): AnyTensor {
  return m.dtype === "bool" ? m : notEqual(m, 0);
}

/** The [1, T, S] lower-triangular mask: row i keeps columns j <= i (Keras's cumsum construction). */
export function causalMask(t: number, s: number): AnyTensor {
  return lessEqual(
    reshape(arange(s, undefined, 1, "int32"), [1, 1, s]),
    reshape(arange(t, undefined, 1, "int32"), [1, t, 1]),
  );
}

/**
 * Dot-product attention (Keras's Attention, Luong-style): called on [query, value] or
 * [query, value, key] ([batch, Tq, dim], [batch, Tv, dim], key defaults to value). Scores are
 * query · keyᵀ (times the learned `scale` when useScale) or, with scoreMode "concat",
 * concat_score_weight · Σ tanh(scale · (query + key)); the softmax of the scores weights the values.
 * The value mask (and the causal mask) hide keys; the query mask zeroes the outputs.
 */
export class Attention extends Layer {
  readonly useScale: boolean;
  readonly scoreMode: "dot" | "concat";
  readonly dropout: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;
  /** Whether the call in progress returns the scores too (its second output has no mask). */
  private returnScores = false;

  constructor(args: AttentionArgs = {}) {
    super(args);
    this.useScale = args.useScale ?? false;
    this.scoreMode = args.scoreMode ?? "dot";
    this.dropout = args.dropout ?? 0;
    this.seed = args.seed ?? null;
    if (this.scoreMode !== "dot" && this.scoreMode !== "concat") {
      throw new Error(
        `${this.describe()}: invalid value for argument scoreMode: expected one of "dot", "concat", received scoreMode=${JSON.stringify(args.scoreMode)}.`,
      );
    }
    if (typeof this.dropout !== "number" || !(this.dropout >= 0 && this.dropout < 1)) {
      throw new Error(`${this.describe()}: dropout must be a number in [0, 1), received ${String(this.dropout)}.`);
    }
    this.seedGenerator = this.dropout > 0 ? new SeedGenerator(this.seed ?? undefined) : null;
    this.supportsMasking = true;
  }

  /** Checks that inputs (or their shapes) are [query, value] or [query, value, key]. */
  protected validateInputs(inputs: unknown, mask?: unknown): void {
    const cls = this.constructor.name;
    if (!Array.isArray(inputs)) {
      throw new Error(
        `${this.describe()}: ${cls} layer must be called on a list of inputs, namely [query, value] or [query, value, key].`,
      );
    }
    if (inputs.length < 2 || inputs.length > 3) {
      throw new Error(
        `${this.describe()}: ${cls} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key], received length ${inputs.length}.`,
      );
    }
    if (mask !== null && mask !== undefined) {
      if (!Array.isArray(mask) || mask.length < 2 || mask.length > 3) {
        throw new Error(
          `${this.describe()}: ${cls} layer mask must be a list of length 2 or 3, namely [queryMask, valueMask].`,
        );
      }
    }
  }

  override apply(inputs: LayerInput, options: AttentionCallOptions = {}): Nested<AnyTensor> {
    this.validateInputs(inputs, options.mask);
    this.returnScores = options.returnAttentionScores === true;
    return super.apply(inputs, options);
  }

  override build(inputShape: Nested<SpecShape>): void {
    this.validateInputs(inputShape);
    const [q, v, k] = inputShape as SpecShape[];
    checkShapes(this, q, v, k ?? v);
    if (this.useScale) {
      this.scale = this.addWeight({ name: "scale", shape: [], initializer: "ones" });
    }
    if (this.scoreMode === "concat") {
      this.concatScoreWeight = this.addWeight({ name: "concat_score_weight", shape: [], initializer: "ones" });
    }
  }

  /** Raw scores [batch, Tq, Tv]. */
  protected calculateScores(query: AnyTensor, key: AnyTensor): AnyTensor {
    if (this.scoreMode === "dot") {
      const r = key.shape.length;
      const perm = key.shape.map((_, i) => i);
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      const scores = matmul(query, transpose(key, perm));
      return this.scale ? multiply(scores, this.scale) : scores;
    }
    let t: AnyTensor = add(expandDims(query, -2), expandDims(key, -3));
    if (this.scale) t = multiply(this.scale, t);
    return multiply(this.concatScoreWeight as Variable, sum(tanh(t), -1));
  }

  override call(inputs: Nested<AnyTensor>, options: AttentionCallOptions): Nested<AnyTensor> {
    const list = inputs as AnyTensor[];
    const mask = (options.mask ?? null) as (AnyTensor | null)[] | null;
    this.validateInputs(list, mask);
    const [q, v] = list;
    const k = list[2] ?? v;
    const qMask = mask?.[0] ? boolMask(mask[0]) : null;
    let vMask = mask?.[1] ? boolMask(mask[1]) : null;
    let scores = this.calculateScores(q, k);
    if (options.useCausalMask) {
      const [tq, tv] = scores.shape.slice(-2) as number[];
      const causal = causalMask(tq, tv);
      vMask = vMask ? logicalAnd(expandDims(vMask, -2), causal) : causal;
    }
    if (vMask) {
      // Padding positions get -1e9 added (Keras subtracts max_value where the mask is false).
      let padding = logicalNot(vMask);
      if (padding.shape.length === 2) padding = expandDims(padding, -2);
      scores = where(padding, subtract(scores, 1e9), scores);
    }
    let weights = softmax(scores, -1);
    const attentionScores = weights;
    if (options.training && this.seedGenerator) weights = dropout(weights, this.dropout, { seed: this.seedGenerator });
    let out = matmul(weights, v);
    if (qMask) out = where(expandDims(qMask, -1), out, 0);
    return options.returnAttentionScores ? [out, attentionScores] : out;
  }

  override computeMask(
    _inputs: Nested<AnyTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<AnyTensor | null> | null {
    const qMask = Array.isArray(mask) ? ((mask[0] ?? null) as AnyTensor | null) : null;
    return this.returnScores ? [qMask, null] : qMask;
  }

  override computeOutputSpec(inputs: Nested<AnyTensor>, options: AttentionCallOptions = {}): Nested<SymbolicTensor> {
    this.validateInputs(inputs);
    const [q, v] = inputs as AnyTensor[];
    const k = (inputs as AnyTensor[])[2] ?? v;
    const dtype: DType = q.dtype;
    const out = new SymbolicTensor([...q.shape.slice(0, -1), v.shape[v.shape.length - 1]], dtype);
    if (!options.returnAttentionScores) return out;
    return [out, new SymbolicTensor([...q.shape.slice(0, -1), k.shape[k.shape.length - 2]], dtype)];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): Attention {
    return new Attention(config);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      useScale: this.useScale,
      scoreMode: this.scoreMode,
      dropout: this.dropout,
      seed: this.seed,
    };
  }
}

/**
 * Throws unless query and key share their last axis (both score modes combine them) and key and
 * value their time axis, naming the layer and the shapes.
 */
export function checkShapes(layer: Layer, q: SpecShape, v: SpecShape, k: SpecShape): void {
  const same = (a: number | null | undefined, b: number | null | undefined) => a === null || b === null || a === b;
  const got = `received query shape ${shapeToString(q)}, value shape ${shapeToString(v)} and key shape ${shapeToString(k)}`;
  if (q.length < 2 || v.length < 2 || k.length < 2) {
    throw new Error(`${layer.describe()}: query, value and key must have rank >= 2 ([batch..., T, dim]), ${got}.`);
  }
  if (!same(q[q.length - 1], k[k.length - 1])) {
    throw new Error(`${layer.describe()}: query and key must have the same last dimension, ${got}.`);
  }
  if (!same(v[v.length - 2], k[k.length - 2])) {
    throw new Error(`${layer.describe()}: value and key must have the same number of timesteps (axis -2), ${got}.`);
  }
}
