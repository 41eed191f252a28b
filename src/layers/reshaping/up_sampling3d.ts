import type { SpecShape } from "../../backend/shape.js";
import { repeat } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { standardizeDataFormat } from "./flatten.js";
import { spatialAxes, standardizeTuple } from "./spatial_args.js";

export interface UpSampling3DArgs extends LayerArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** Repeats the three spatial axes `size` times each (Keras's UpSampling3D, nearest neighbour). */
export class UpSampling3D extends Layer {
  readonly size: number[];
  readonly dataFormat: "channels_last" | "channels_first";

  constructor(size: number | readonly number[] = [2, 2, 2], args: UpSampling3DArgs = {}) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.size = standardizeTuple(size as number | number[], 3, "size", this.describe());
    this.inputSpec = new InputSpec({ ndim: 5 });
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const out = (inputShape as SpecShape).slice();
    spatialAxes(5, this.dataFormat).forEach((axis, i) => {
      const d = out[axis];
      out[axis] = d === null ? null : d * this.size[i];
    });
    return out;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    spatialAxes(5, this.dataFormat).forEach((axis, i) => {
      x = repeat(x, this.size[i], axis);
    });
    return x;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): UpSampling3D {
    const { size, ...rest } = config;
    return new UpSampling3D(size as number[], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size.slice(), dataFormat: this.dataFormat };
  }
}
