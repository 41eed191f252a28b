import { type DataFormat, standardizeDataFormat } from "../convolutional/conv_args.js";
import { InputSpec } from "../input_spec.js";
import { Layer, type LayerArgs } from "../layer.js";

export interface GlobalPoolingArgs extends LayerArgs {
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
  /** Keep the spatial axes with size 1 (default false). */
  keepdims?: boolean;
}

/** Pooling over every spatial axis (Keras's BaseGlobalPooling); subclasses reduce with max or mean. */
export class BaseGlobalPooling extends Layer {
  readonly dataFormat: DataFormat;
  readonly keepdims: boolean;
  readonly poolDimensions: number;

  constructor(poolDimensions: number, args: GlobalPoolingArgs = {}) {
    super(args);
    this.poolDimensions = poolDimensions;
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = new InputSpec({ ndim: poolDimensions + 2 });
    this.built = true;
  }

  /** The spatial axes of the inputs. */
  protected get spatialAxes(): number[] {
    const first = this.dataFormat === "channels_last" ? 1 : 2;
    return Array.from({ length: this.poolDimensions }, (_, i) => first + i);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}
