import { maximum as maximumOp } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { LayerArgs } from "../layer.js";
import { Merge, mergeWithMasks } from "./base_merge.js";

/** Element-wise maximum of a list of inputs (Keras's Maximum); masked entries take the others' values. */
export class Maximum extends Merge {
  protected override mergeFunction(xs: AnyTensor[], masks: (AnyTensor | null)[]): AnyTensor {
    return mergeWithMasks((a, b) => maximumOp(a, b), xs, masks);
  }
}

/** Functional interface to the Maximum layer (Keras's keras.layers.maximum). */
export function maximum<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Maximum(args)(inputs as never) as T;
}
