import type { SpecShape } from "../../backend/shape.js";
import { pad } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { standardizeDataFormat } from "./flatten.js";
import { spatialAxes } from "./spatial_args.js";

export interface ZeroPaddingArgs extends LayerArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** Pads the spatial axes with zeros (the base of ZeroPadding1D/2D/3D). */
export abstract class BaseZeroPadding extends Layer {
  readonly dataFormat: "channels_last" | "channels_first";
  /** [before, after] per spatial axis. */
  protected pairs: [number, number][] = [];

  constructor(spatialRank: number, args: ZeroPaddingArgs) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.inputSpec = new InputSpec({ ndim: spatialRank + 2 });
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const out = (inputShape as SpecShape).slice();
    spatialAxes(out.length, this.dataFormat).forEach((axis, i) => {
      const d = out[axis];
      if (d !== null) out[axis] = d + this.pairs[i][0] + this.pairs[i][1];
    });
    return out;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    const widths: [number, number][] = x.shape.map(() => [0, 0]);
    spatialAxes(x.shape.length, this.dataFormat).forEach((axis, i) => {
      widths[axis] = this.pairs[i];
    });
    return pad(x, widths);
  }
}
