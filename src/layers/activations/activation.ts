import * as activations from "../../activations/index.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** Applies an activation function, by name or as a function (Keras's Activation). */
export class Activation extends Layer {
  readonly activation: activations.Activation;

  constructor(activation: activations.ActivationIdentifier, args: LayerArgs = {}) {
    super(args);
    this.activation = activations.get(activation);
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return this.activation(inputs as AnyTensor);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: activations.serialize(this.activation) };
  }
}
