import { cast, divide, where } from "../../ops/elementwise.js";
import { mean, sum } from "../../ops/reduction.js";
import { expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { CallOptions } from "../layer.js";
import { BaseGlobalPooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/**
 * Mean over the steps (Keras's GlobalAveragePooling1D). With a mask [batch, steps] (e.g. from
 * Embedding's maskZero), only the unmasked steps are averaged; the mask stops here.
 */
export class GlobalAveragePooling1D extends BaseGlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
    this.supportsMasking = true;
  }

  override call(inputs: Nested<AnyTensor>, { mask }: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    const steps = this.dataFormat === "channels_last" ? 1 : 2;
    const m = (Array.isArray(mask) ? mask[0] : mask) as AnyTensor | null | undefined;
    if (m === null || m === undefined) return mean(x, steps, this.keepdims);
    // Keras: where(mask, x, 0) summed over the steps, divided by the number of unmasked steps.
    const keep = expandDims(cast(m, "bool"), this.dataFormat === "channels_last" ? 2 : 1);
    const total = sum(where(keep, x, 0), steps, this.keepdims);
    return divide(total, sum(cast(keep, x.dtype), steps, this.keepdims));
  }

  override computeMask(): null {
    return null;
  }
}
