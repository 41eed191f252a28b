import { leakyRelu } from "../../ops/nn/activations.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0 (>= 0; Keras 3's default 0.3). */
  negativeSlope?: number;
}

/** x for x >= 0, negativeSlope * x otherwise (Keras's LeakyReLU). */
export class LeakyReLU extends Layer {
  readonly negativeSlope: number;

  constructor(args: LeakyReLUArgs = {}) {
    super(args);
    const negativeSlope = args.negativeSlope ?? 0.3;
    if (typeof negativeSlope !== "number" || !(negativeSlope >= 0)) {
      throw new Error(
        `${this.describe()}: the negativeSlope value of a Leaky ReLU layer cannot be null or negative, received negativeSlope=${String(negativeSlope)}.`,
      );
    }
    this.negativeSlope = negativeSlope;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return leakyRelu(inputs as AnyTensor, this.negativeSlope);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), negativeSlope: this.negativeSlope };
  }
}
