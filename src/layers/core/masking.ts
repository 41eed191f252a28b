import { notEqual, where } from "../../ops/elementwise.js";
import { any } from "../../ops/reduction.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface MaskingArgs extends LayerArgs {
  maskValue?: number;
}

/**
 * Masks timesteps whose features all equal `maskValue` (Keras's Masking): the output mask is
 * `any(inputs != maskValue, axis=-1)`, and masked timesteps are set to 0 in the output.
 */
export class Masking extends Layer {
  readonly maskValue: number;

  constructor(maskValue?: number | MaskingArgs, args: MaskingArgs = {}) {
    // Also accepts Keras's keyword form: new Masking({ maskValue: 0 }).
    if (typeof maskValue === "object" && maskValue !== null) {
      args = maskValue;
      maskValue = args.maskValue;
    }
    super(args);
    maskValue = maskValue ?? args.maskValue ?? 0;
    if (typeof maskValue !== "number") {
      throw new TypeError(`${this.describe()}: maskValue must be a number, received ${String(maskValue)}.`);
    }
    this.maskValue = maskValue;
    this.supportsMasking = true;
    this.built = true;
  }

  override computeMask(inputs: Nested<AnyTensor>, _mask: Nested<AnyTensor | null> | null): AnyTensor {
    return any(notEqual(inputs as AnyTensor, this.maskValue), -1);
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    return where(any(notEqual(x, this.maskValue), -1, true), x, 0);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
