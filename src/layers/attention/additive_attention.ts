import type { SpecShape } from "../../backend/shape.js";
import { add, multiply, tanh } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduction.js";
import { expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { LayerArgs } from "../layer.js";
import { Attention, checkShapes } from "./attention.js";

export interface AdditiveAttentionArgs extends LayerArgs {
  /** Learn a per-feature `scale` vector [dim] (default true). */
  useScale?: boolean;
  dropout?: number;
  seed?: number | null;
}

/**
 * Additive (Bahdanau-style) attention (Keras's AdditiveAttention): scores are
 * Σ scale · tanh(query + key) over the features, with a learned `scale` of shape [dim]
 * (glorot_uniform) when useScale. Called and masked as Attention.
 */
export class AdditiveAttention extends Attention {
  constructor(args: AdditiveAttentionArgs = {}) {
    super({ ...args, useScale: args.useScale ?? true, scoreMode: "dot" });
  }

  override build(inputShape: Nested<SpecShape>): void {
    this.validateInputs(inputShape);
    const [q, v, k] = inputShape as SpecShape[];
    checkShapes(this, q, v, k ?? v);
    const dim = q[q.length - 1];
    if (this.useScale) {
      if (dim === null) {
        throw new Error(
          `${this.describe()}: the last axis of the query must be known to create the scale, received query shape [${q.join(", ")}].`,
        );
      }
      this.scale = this.addWeight({ name: "scale", shape: [dim], initializer: "glorot_uniform" });
    }
  }

  protected override calculateScores(query: AnyTensor, key: AnyTensor): AnyTensor {
    const t = tanh(add(expandDims(query, -2), expandDims(key, -3)));
    return sum(this.scale ? multiply(this.scale, t) : t, -1);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static override fromConfig(config: Record<string, unknown>): AdditiveAttention {
    return new AdditiveAttention(config);
  }

  override getConfig(): Record<string, unknown> {
    const { scoreMode: _s, ...config } = super.getConfig();
    return config;
  }
}
