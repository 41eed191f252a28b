import { type ZeroPaddingArgs, BaseZeroPadding } from "./base_zero_padding.js";
import { standardizeTuple } from "./spatial_args.js";

/**
 * Pads the time axis with zeros (Keras's ZeroPadding1D): `padding` is an int (both sides) or
 * [before, after]; inputs [batch, steps, features] (channels-last) or [batch, features, steps].
 */
export class ZeroPadding1D extends BaseZeroPadding {
  readonly padding: [number, number];

  constructor(padding: number | readonly number[] = 1, args: ZeroPaddingArgs = {}) {
    super(1, args);
    const p = standardizeTuple(padding as number | number[], 2, "padding", this.describe(), true);
    this.pairs = [[p[0], p[1]]];
    this.padding = [p[0], p[1]];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): ZeroPadding1D {
    const { padding, ...rest } = config;
    return new ZeroPadding1D(padding as number[], rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.slice(), dataFormat: this.dataFormat };
  }
}
