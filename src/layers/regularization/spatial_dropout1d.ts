import type { SpecShape } from "../../backend/shape.js";
import { InputSpec } from "../input_spec.js";
import { BaseSpatialDropout, type SpatialDropoutArgs } from "./base_spatial_dropout.js";

/** Drops entire 1D feature maps (Keras's SpatialDropout1D): inputs [batch, timesteps, channels]. */
export class SpatialDropout1D extends BaseSpatialDropout {
  constructor(rate: number, args: SpatialDropoutArgs = {}) {
    super(rate, args);
    this.inputSpec = new InputSpec({ ndim: 3 });
  }

  protected noiseShapeOf(s: SpecShape): (number | null)[] {
    return [s[0], 1, s[2]];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): SpatialDropout1D {
    const { rate, ...rest } = config;
    return new SpatialDropout1D(rate as number, rest);
  }
}
