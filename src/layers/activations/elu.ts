import { elu } from "../../ops/nn/activations.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/** x for x >= 0, alpha * (exp(x) - 1) otherwise (Keras's ELU). */
export class ELU extends Layer {
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? 1;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return elu(inputs as AnyTensor, this.alpha);
  }

  /** Keras's ELU leaves alpha out of its config (so it is lost on reload); it is kept here. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
