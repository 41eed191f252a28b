/** Helpers shared by the float-only nn ops (not part of keras.ops). */
import { toTensor } from "../../backend/convert.js";
import { isFloat } from "../../backend/dtypes.js";
import type { Tensor } from "../../backend/tensor.js";

/** Throws the TypeError of a float-only op given an int or bool tensor. */
export function requireFloat(op: string, x: { dtype: string }, what = "x"): void {
  if (!isFloat(x.dtype as never)) {
    throw new TypeError(
      `ops.${op}: ${what} must be a float tensor (float32 or float64), received dtype ${x.dtype}. ` +
        `Cast it first, e.g. ops.cast(${what}, "float32").`,
    );
  }
}

/**
 * A constant in `like`'s dtype. Plain JS numbers passed to element-wise ops are first made float32
 * by toAnyAll (registry.ts), which rounds constants like 0.1 even next to float64 tensors.
 */
export function constant(value: number, like: { dtype: string }): Tensor {
  return toTensor(value, like.dtype);
}
