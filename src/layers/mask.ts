import type { AnyTensor } from "../ops/types.js";

/**
 * Keras attaches a mask to the tensor a layer returns (`_keras_mask`); layers that support masking
 * receive it in `call(inputs, { mask })`. Kept in a WeakMap so tensors stay plain data.
 */
const masks = new WeakMap<object, AnyTensor | null>();

export function getMask(x: unknown): AnyTensor | null {
  return typeof x === "object" && x !== null ? (masks.get(x) ?? null) : null;
}

export function setMask(x: unknown, mask: AnyTensor | null | undefined): void {
  if (typeof x !== "object" || x === null) return;
  if (mask) masks.set(x, mask);
  else masks.delete(x);
}
