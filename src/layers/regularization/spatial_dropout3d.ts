import type { SpecShape } from "../../backend/shape.js";
import { InputSpec } from "../input_spec.js";
import { standardizeDataFormat } from "../reshaping/flatten.js";
import { BaseSpatialDropout, type SpatialDropoutArgs } from "./base_spatial_dropout.js";

export interface SpatialDropout3DArgs extends SpatialDropoutArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** Drops entire 3D feature maps (Keras's SpatialDropout3D): inputs [batch, d1, d2, d3, channels] (channels-last) or [batch, channels, ...] (channels-first). */
export class SpatialDropout3D extends BaseSpatialDropout {
  readonly dataFormat: "channels_last" | "channels_first";

  constructor(rate: number, args: SpatialDropout3DArgs = {}) {
    super(rate, args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.inputSpec = new InputSpec({ ndim: 5 });
  }

  protected noiseShapeOf(s: SpecShape): (number | null)[] {
    return this.dataFormat === "channels_first" ? [s[0], s[1], 1, 1, 1] : [s[0], 1, 1, 1, s[4]];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): SpatialDropout3D {
    const { rate, ...rest } = config;
    return new SpatialDropout3D(rate as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}
