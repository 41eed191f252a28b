import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { logicalOr, where } from "../../ops/elementwise.js";
import { expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** "[null, 3], [null, 4]": the received shapes in error messages. */
export function shapesToString(xs: readonly { shape: SpecShape }[]): string {
  return xs.map((x) => shapeToString(x.shape)).join(", ");
}

/**
 * The base of the element-wise merge layers (Keras's Merge): takes a list of tensors, checks that
 * their batch sizes agree and that the other axes broadcast (right-aligned, size 1 against any
 * size), gives lower-rank inputs size-1 axes after the batch axis, and merges them with
 * `mergeFunction`. The output mask is the OR of the input masks when every input has one.
 */
export abstract class Merge extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  /** Merges inputs of equal rank (masks, one per input or null, as the layer received them). */
  protected abstract mergeFunction(inputs: AnyTensor[], masks: (AnyTensor | null)[]): AnyTensor;

  /** The inputs as a list, or an error naming the layer. */
  protected inputList(inputs: Nested<AnyTensor>, min = 1): AnyTensor[] {
    if (!Array.isArray(inputs)) {
      const got =
        inputs && typeof inputs === "object" && "shape" in inputs
          ? ` of shape ${shapeToString((inputs as AnyTensor).shape)}`
          : "";
      throw new Error(
        `${this.describe()}: a merge layer should be called on a list of inputs, received a single input${got}.`,
      );
    }
    const xs = inputs as AnyTensor[];
    if (xs.length < min) {
      throw new Error(
        `${this.describe()}: a merge layer should be called on a list of at least ${min} input(s), received ${xs.length} inputs${xs.length ? ` of shapes ${shapesToString(xs)}` : ""}.`,
      );
    }
    return xs;
  }

  /** Keras's checks: one batch size, and non-batch axes that broadcast element-wise. */
  protected checkShapes(xs: readonly AnyTensor[]): void {
    const batches = new Set(xs.map((x) => x.shape[0]).filter((d) => d !== null && d !== undefined));
    if (batches.size > 1) {
      throw new Error(
        `${this.describe()}: cannot merge tensors with different batch sizes; received tensors with shapes ${shapesToString(xs)}.`,
      );
    }
    let out: SpecShape = xs[0].shape.slice(1);
    for (const x of xs.slice(1)) {
      const s = x.shape.slice(1);
      const [long, short] = out.length >= s.length ? [out, s] : [s, out];
      const merged: SpecShape = long.slice(0, long.length - short.length);
      short.forEach((j, k) => {
        const i = long[long.length - short.length + k];
        if (i === null || j === null) merged.push(null);
        else if (i === 1) merged.push(j);
        else if (j === 1 || i === j) merged.push(i);
        else {
          throw new Error(
            `${this.describe()}: inputs have incompatible shapes; received shapes ${shapesToString(xs)}.`,
          );
        }
      });
      out = merged;
    }
  }

  override call(inputs: Nested<AnyTensor>, options: CallOptions): AnyTensor {
    let xs = this.inputList(inputs);
    this.checkShapes(xs);
    const rank = Math.max(...xs.map((x) => x.shape.length));
    xs = xs.map((x) => {
      const missing = rank - x.shape.length;
      return missing > 0
        ? expandDims(
            x,
            Array.from({ length: missing }, (_, i) => i + 1),
          )
        : x;
    });
    return this.mergeFunction(xs, this.maskList(options.mask, xs.length));
  }

  /** The masks the layer received, one per input (null where an input has none). */
  protected maskList(mask: CallOptions["mask"], n: number): (AnyTensor | null)[] {
    if (!Array.isArray(mask)) return new Array(n).fill(null);
    return Array.from({ length: n }, (_, i) => (mask[i] as AnyTensor | null | undefined) ?? null);
  }

  override computeMask(inputs: Nested<AnyTensor>, mask: Nested<AnyTensor | null> | null): AnyTensor | null {
    if (mask === null || mask === undefined) return null;
    const xs = this.inputList(inputs);
    if (!Array.isArray(mask) || mask.length !== xs.length) {
      throw new Error(
        `${this.describe()}: the inputs and masks should be lists of the same length, received ${xs.length} inputs and ${Array.isArray(mask) ? mask.length : "a single"} mask(s).`,
      );
    }
    const masks = mask as (AnyTensor | null)[];
    if (masks.some((m) => m === null || m === undefined)) return null;
    return masks.slice(1).reduce<AnyTensor>((acc, m) => logicalOr(acc, m as AnyTensor), masks[0] as AnyTensor);
  }
}

/**
 * Merges with `op` and ORs the masks (Keras's _apply_merge_op_and_or_mask, for Maximum and Minimum,
 * which have no identity element): a masked entry takes the other operand's value.
 */
export function mergeWithMasks(
  op: (a: AnyTensor, b: AnyTensor) => AnyTensor,
  xs: readonly AnyTensor[],
  masks: readonly (AnyTensor | null)[],
): AnyTensor {
  let output = xs[0];
  let outputMask = masks[0] ? expandDims(masks[0], -1) : null;
  for (let i = 1; i < xs.length; i++) {
    let x = xs[i];
    const m = masks[i];
    const mask = m ? expandDims(m, -1) : null;
    if (mask) x = where(mask, x, output);
    if (outputMask) output = where(outputMask, output, x);
    outputMask = mask && outputMask ? logicalOr(outputMask, mask) : null;
    output = op(output, x);
  }
  return output;
}
