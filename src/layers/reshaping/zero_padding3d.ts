import { type ZeroPaddingArgs, BaseZeroPadding } from "./base_zero_padding.js";
import { standardizePairs } from "./spatial_args.js";

/**
 * Pads the 3 spatial axes with zeros (Keras's ZeroPadding3D): `padding` is an int, 3 ints
 * (symmetric per axis) or [[d1 before, d1 after], [d2 ...], [d3 ...]].
 */
export class ZeroPadding3D extends BaseZeroPadding {
  readonly padding: [number, number][];

  constructor(
    padding: number | readonly (number | readonly number[])[] = [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
    args: ZeroPaddingArgs = {},
  ) {
    super(3, args);
    this.pairs = standardizePairs(padding, 3, "padding", this.describe());
    this.padding = this.pairs;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): ZeroPadding3D {
    const { padding, ...rest } = config;
    return new ZeroPadding3D(padding as number[][], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => p.slice()), dataFormat: this.dataFormat };
  }
}
