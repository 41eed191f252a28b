import type { SpecShape } from "../../backend/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { dropout } from "../../random/dropout.js";
import type { Nested } from "../../tree/index.js";
import type { CallOptions, LayerArgs } from "../layer.js";
import { Dropout } from "./dropout.js";

export interface SpatialDropoutArgs extends LayerArgs {
  seed?: number | null;
}

/**
 * Dropout of whole feature maps (Keras's BaseSpatialDropout): one draw per (sample, channel), shared
 * along the spatial axes. Subclasses give the noise shape.
 */
export abstract class BaseSpatialDropout extends Dropout {
  constructor(rate: number, args: SpatialDropoutArgs = {}) {
    super(rate, { ...args, noiseShape: null });
  }

  /** The mask's shape: the input's batch and channel axes, 1 on the spatial axes. */
  protected abstract noiseShapeOf(inputShape: SpecShape): (number | null)[];

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    return inputShape;
  }

  override call(inputs: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    if (!training || this.rate === 0 || !this.seedGenerator) return x;
    if (this.rate === 1) return super.call(x, { training });
    return dropout(x, this.rate, { noiseShape: this.noiseShapeOf(x.shape), seed: this.seedGenerator });
  }

  // Keras's BaseSpatialDropout config has no noise_shape.
  override getConfig(): Record<string, unknown> {
    const { noiseShape: _n, ...config } = super.getConfig();
    return config;
  }
}
