import { add, divide } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/** Element-wise mean of a list of inputs (Keras's Average). */
export class Average extends Merge {
  protected override mergeFunction(xs: AnyTensor[]): AnyTensor {
    return divide(
      xs.slice(1).reduce<AnyTensor>((acc, x) => add(acc, x), xs[0]),
      xs.length,
    );
  }
}

/** Functional interface to the Average layer (Keras's keras.layers.average). */
export function average<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Average(args)(inputs as never) as T;
}
