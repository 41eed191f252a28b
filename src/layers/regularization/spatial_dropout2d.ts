import type { SpecShape } from "../../backend/shape.js";
import { InputSpec } from "../input_spec.js";
import { standardizeDataFormat } from "../reshaping/flatten.js";
import { BaseSpatialDropout, type SpatialDropoutArgs } from "./base_spatial_dropout.js";

export interface SpatialDropout2DArgs extends SpatialDropoutArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** Drops entire 2D feature maps (Keras's SpatialDropout2D): inputs [batch, rows, cols, channels] (channels-last) or [batch, channels, ...] (channels-first). */
export class SpatialDropout2D extends BaseSpatialDropout {
  readonly dataFormat: "channels_last" | "channels_first";

  constructor(rate: number, args: SpatialDropout2DArgs = {}) {
    super(rate, args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.inputSpec = new InputSpec({ ndim: 4 });
  }

  protected noiseShapeOf(s: SpecShape): (number | null)[] {
    return this.dataFormat === "channels_first" ? [s[0], s[1], 1, 1] : [s[0], 1, 1, s[3]];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): SpatialDropout2D {
    const { rate, ...rest } = config;
    return new SpatialDropout2D(rate as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}
