import { add as addOp } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/** Element-wise sum of a list of inputs (Keras's Add). */
export class Add extends Merge {
  protected override mergeFunction(xs: AnyTensor[]): AnyTensor {
    return xs.slice(1).reduce<AnyTensor>((acc, x) => addOp(acc, x), xs[0]);
  }
}

/** Functional interface to the Add layer (Keras's keras.layers.add). */
export function add<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Add(args)(inputs as never) as T;
}
