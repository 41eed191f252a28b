import type { SpecShape } from "../../backend/shape.js";
import { slice } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { standardizeDataFormat } from "./flatten.js";
import { shapeString, spatialAxes } from "./spatial_args.js";

export interface CroppingArgs extends LayerArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** Crops the spatial axes (the base of Cropping1D/2D/3D). */
export abstract class BaseCropping extends Layer {
  readonly dataFormat: "channels_last" | "channels_first";
  /** [before, after] per spatial axis. */
  protected pairs: [number, number][] = [];

  constructor(spatialRank: number, args: CroppingArgs) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.inputSpec = new InputSpec({ ndim: spatialRank + 2 });
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const shape = inputShape as SpecShape;
    const out = shape.slice();
    spatialAxes(out.length, this.dataFormat).forEach((axis, i) => {
      const d = out[axis];
      if (d === null) return;
      const left = d - this.pairs[i][0] - this.pairs[i][1];
      if (left <= 0) {
        throw new Error(
          `${this.describe()}: the cropping ${JSON.stringify(this.pairs)} must be smaller than the input's spatial size along each axis, received input shape ${shapeString(shape)}.`,
        );
      }
      out[axis] = left;
    });
    return out;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    const out = this.computeOutputShape(x.shape) as number[];
    const start = x.shape.map(() => 0);
    spatialAxes(x.shape.length, this.dataFormat).forEach((axis, i) => {
      start[axis] = this.pairs[i][0];
    });
    return slice(x, start, out);
  }
}
