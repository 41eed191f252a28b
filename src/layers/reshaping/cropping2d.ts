import { type CroppingArgs, BaseCropping } from "./base_cropping.js";
import { standardizePairs } from "./spatial_args.js";

/**
 * Crops the 2 spatial axes (Keras's Cropping2D): `cropping` is an int, 2 ints (symmetric per
 * axis) or [[top, bottom], [left, right]].
 */
export class Cropping2D extends BaseCropping {
  readonly cropping: [number, number][];

  constructor(
    cropping: number | readonly (number | readonly number[])[] = [
      [0, 0],
      [0, 0],
    ],
    args: CroppingArgs = {},
  ) {
    super(2, args);
    this.pairs = standardizePairs(cropping, 2, "cropping", this.describe());
    this.cropping = this.pairs;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): Cropping2D {
    const { cropping, ...rest } = config;
    return new Cropping2D(cropping as number[][], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => p.slice()), dataFormat: this.dataFormat };
  }
}
