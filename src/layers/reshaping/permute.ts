import { transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/**
 * Permutes the non-batch axes (Keras's Permute): `dims` is 1-based and excludes the batch axis,
 * e.g. [2, 1] swaps the two axes after the batch.
 */
export class Permute extends Layer {
  readonly dims: number[];

  constructor(dims: readonly number[], args: LayerArgs = {}) {
    super(args);
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : null;
    if (!sorted || sorted.some((d, i) => d !== i + 1)) {
      throw new Error(
        `${this.describe()}: invalid permutation argument \`dims\`: the indices must be consecutive and start from 1 (the batch axis is not included), received dims=[${String(dims)}].`,
      );
    }
    this.dims = dims.slice();
    this.inputSpec = new InputSpec({ ndim: dims.length + 1 });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return transpose(inputs as AnyTensor, [0, ...this.dims]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: this.dims.slice() };
  }
}
