import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** Returns its inputs unchanged (Keras's Identity): a placeholder layer; masks pass through. */
export class Identity extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): Nested<AnyTensor> {
    return inputs;
  }
}
