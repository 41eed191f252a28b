import { type CroppingArgs, BaseCropping } from "./base_cropping.js";
import { standardizeTuple } from "./spatial_args.js";

/**
 * Crops the time axis (Keras's Cropping1D): `cropping` is an int (both ends) or [start, end];
 * inputs [batch, steps, features]. Keras's Cropping1D has no dataFormat.
 */
export class Cropping1D extends BaseCropping {
  readonly cropping: [number, number];

  constructor(cropping: number | readonly number[] = [1, 1], args: Omit<CroppingArgs, "dataFormat"> = {}) {
    super(1, { ...args, dataFormat: undefined });
    const c = standardizeTuple(cropping as number | number[], 2, "cropping", this.describe(), true);
    this.pairs = [[c[0], c[1]]];
    this.cropping = [c[0], c[1]];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): Cropping1D {
    const { cropping, ...rest } = config;
    return new Cropping1D(cropping as number[], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.slice() };
  }
}
