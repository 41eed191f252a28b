import { type CroppingArgs, BaseCropping } from "./base_cropping.js";
import { standardizePairs } from "./spatial_args.js";

/**
 * Crops the 3 spatial axes (Keras's Cropping3D): `cropping` is an int, 3 ints (symmetric per
 * axis) or [[d1 start, d1 end], [d2 ...], [d3 ...]].
 */
export class Cropping3D extends BaseCropping {
  readonly cropping: [number, number][];

  constructor(
    cropping: number | readonly (number | readonly number[])[] = [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
    args: CroppingArgs = {},
  ) {
    super(3, args);
    this.pairs = standardizePairs(cropping, 3, "cropping", this.describe());
    this.cropping = this.pairs;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): Cropping3D {
    const { cropping, ...rest } = config;
    return new Cropping3D(cropping as number[][], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => p.slice()), dataFormat: this.dataFormat };
  }
}
