import { type ZeroPaddingArgs, BaseZeroPadding } from "./base_zero_padding.js";
import { standardizePairs } from "./spatial_args.js";

/**
 * Pads the 2 spatial axes with zeros (Keras's ZeroPadding2D): `padding` is an int, 2 ints
 * (symmetric per axis) or [[top, bottom], [left, right]].
 */
export class ZeroPadding2D extends BaseZeroPadding {
  readonly padding: [number, number][];

  constructor(padding: number | readonly (number | readonly number[])[] = [1, 1], args: ZeroPaddingArgs = {}) {
    super(2, args);
    this.pairs = standardizePairs(padding, 2, "padding", this.describe());
    this.padding = this.pairs;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): ZeroPadding2D {
    const { padding, ...rest } = config;
    return new ZeroPadding2D(padding as number[][], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => p.slice()), dataFormat: this.dataFormat };
  }
}
