import { logicalOr, multiply as multiplyOp, where } from "../../ops/elementwise.js";
import { expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { LayerArgs } from "../layer.js";
import { Merge } from "./base_merge.js";

/**
 * Element-wise product of a list of inputs (Keras's Multiply). Masked entries count as 1; when every
 * input has a mask, entries masked in all inputs are 0.
 */
export class Multiply extends Merge {
  protected override mergeFunction(xs: AnyTensor[], masks: (AnyTensor | null)[]): AnyTensor {
    const allMasked = masks.every((m) => m !== null);
    let output: AnyTensor | null = null;
    let outputMask: AnyTensor | null = null;
    xs.forEach((x0, i) => {
      let x = x0;
      const m = masks[i];
      if (m) {
        const mask = expandDims(m, -1);
        x = where(mask, x, 1);
        if (allMasked) outputMask = outputMask ? logicalOr(outputMask, mask) : mask;
      }
      output = output === null ? x : multiplyOp(output, x);
    });
    const out = output as unknown as AnyTensor;
    return outputMask ? where(outputMask, out, 0) : out;
  }
}

/** Functional interface to the Multiply layer (Keras's keras.layers.multiply). */
export function multiply<T extends AnyTensor>(inputs: T[], args: LayerArgs = {}): T {
  return new Multiply(args)(inputs as never) as T;
}
