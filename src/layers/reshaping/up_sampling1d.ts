import type { SpecShape } from "../../backend/shape.js";
import { repeat } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** Repeats each time step `size` times (Keras's UpSampling1D): [batch, steps, features] -> [batch, steps·size, features]. */
export class UpSampling1D extends Layer {
  readonly size: number;

  constructor(size = 2, args: LayerArgs = {}) {
    super(args);
    if (typeof size !== "number" || !Number.isInteger(size) || size <= 0) {
      throw new Error(`${this.describe()}: size must be a positive integer, received size=${JSON.stringify(size)}.`);
    }
    this.size = size;
    this.inputSpec = new InputSpec({ ndim: 3 });
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const s = inputShape as SpecShape;
    return [s[0], s[1] === null ? null : s[1] * this.size, s[2]];
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return repeat(inputs as AnyTensor, this.size, 1);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): UpSampling1D {
    const { size, ...rest } = config;
    return new UpSampling1D(size as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size };
  }
}
