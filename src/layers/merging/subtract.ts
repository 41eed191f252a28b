import { subtract as subtractOp } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { LayerArgs } from "../layer.js";
import { Merge, shapesToString } from "./base_merge.js";

/** inputs[0] - inputs[1], for exactly two inputs (Keras's Subtract). */
export class Subtract extends Merge {
  protected override inputList(inputs: Nested<AnyTensor>): AnyTensor[] {
    const xs = super.inputList(inputs);
    if (xs.length !== 2) {
      throw new Error(
        `${this.describe()}: a Subtract layer should be called on exactly 2 inputs, received ${xs.length} inputs of shapes ${shapesToString(xs)}.`,
      );
    }
    return xs;
  }

  protected override mergeFunction(xs: AnyTensor[]): AnyTensor {
    return subtractOp(xs[0], xs[1]);
  }
}

/** Functional interface to the Subtract layer (Keras's keras.layers.subtract). */
export function subtract<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Subtract(args)(inputs as never) as T;
}
