import { minimum as minimumOp } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { LayerArgs } from "../layer.js";
import { Merge, mergeWithMasks } from "./base_merge.js";

/** Element-wise minimum of a list of inputs (Keras's Minimum); masked entries take the others' values. */
export class Minimum extends Merge {
  protected override mergeFunction(xs: AnyTensor[], masks: (AnyTensor | null)[]): AnyTensor {
    return mergeWithMasks((a, b) => minimumOp(a, b), xs, masks);
  }
}

/** Functional interface to the Minimum layer (Keras's keras.layers.minimum). */
export function minimum<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Minimum(args)(inputs as never) as T;
}
