import type { AnyTensor } from "../../ops/types.js";
import { averagePool, maxPool } from "../../ops/nn/pooling.js";
import type { Nested } from "../../tree/index.js";
import {
  type DataFormat,
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
} from "../convolutional/conv_args.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface PoolingArgs extends LayerArgs {
  /** Int or one per spatial axis; null or omitted: poolSize. */
  strides?: number | readonly number[] | null;
  /** "valid" (default) or "same". */
  padding?: string;
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
}

/** Max or average pooling over `poolDimensions` spatial axes (Keras's BasePooling). */
export class BasePooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: DataFormat;
  readonly poolMode: "max" | "average";

  constructor(
    poolSize: number | readonly number[],
    poolDimensions: number,
    poolMode: "max" | "average",
    args: PoolingArgs = {},
  ) {
    super(args);
    const who = this.describe();
    this.poolSize = standardizeTuple(poolSize, poolDimensions, "poolSize", who);
    const strides = args.strides ?? poolSize;
    this.strides = standardizeTuple(strides, poolDimensions, "strides", who);
    this.padding = standardizePadding(args.padding, who);
    this.dataFormat = standardizeDataFormat(args.dataFormat, who);
    this.poolMode = poolMode;
    this.inputSpec = new InputSpec({ ndim: poolDimensions + 2 });
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const f = this.poolMode === "max" ? maxPool : averagePool;
    return f(inputs as AnyTensor, this.poolSize, this.strides, this.padding, this.dataFormat);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      poolSize: this.poolSize.slice(),
      padding: this.padding,
      strides: this.strides.slice(),
      dataFormat: this.dataFormat,
    };
  }
}
