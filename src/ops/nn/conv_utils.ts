/** Argument handling shared by the convolution and pooling ops: tuples, padding, data format, dtypes. */
import { isFloat } from "../../backend/dtypes.js";
import { shapeToString } from "../../backend/shape.js";
import { transpose } from "../shape.js";
import type { AnyTensor, Spec } from "../types.js";

/**
 * Padding as an op attribute: Keras's strings, or explicit amounts per spatial axis (used by the
 * gradient ops, whose padding must equal the forward op's whatever the input size).
 */
export type Padding = "valid" | "same" | { before: number[]; after: number[] };

export type DataFormat = "channels_last" | "channels_first";

/** An int or a list of ints, one per spatial axis, as Keras accepts for strides, dilation and sizes. */
export function spatialTuple(op: string, name: string, v: number | readonly number[], n: number, min = 1): number[] {
  const list = typeof v === "number" ? new Array<number>(n).fill(v) : v.slice();
  if (list.length !== n || list.some((d) => !Number.isInteger(d) || d < min)) {
    throw new Error(
      `${op}: ${name} must be an integer >= ${min} or a list of ${n} such integers (one per spatial axis), received ${JSON.stringify(v)}.`,
    );
  }
  return list;
}

export function standardizePadding(op: string, padding: string): "valid" | "same" {
  const p = typeof padding === "string" ? padding.toLowerCase() : padding;
  if (p !== "valid" && p !== "same") {
    throw new Error(`${op}: padding must be "valid" or "same", received ${JSON.stringify(padding)}.`);
  }
  return p;
}

export function standardizeDataFormat(op: string, dataFormat: string | null | undefined): DataFormat {
  const f = dataFormat ?? "channels_last";
  if (f !== "channels_last" && f !== "channels_first") {
    throw new Error(
      `${op}: dataFormat must be "channels_last" or "channels_first", received ${JSON.stringify(dataFormat)}.`,
    );
  }
  return f;
}

/** Inputs of rank 3, 4 or 5 (1 to 3 spatial axes) with a float dtype. */
export function checkInput(op: string, x: Spec, what = "inputs"): number {
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${op}: ${what} must have a float dtype (float32 or float64), received ${x.dtype}.`);
  }
  const r = x.shape.length;
  if (r < 3 || r > 5) {
    throw new Error(
      `${op}: ${what} must have rank 3, 4 or 5 ([batch, ...1 to 3 spatial axes, channels]), received shape ${shapeToString(x.shape)}.`,
    );
  }
  return r - 2;
}

export function checkFloat(op: string, x: Spec, what: string): void {
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${op}: ${what} must have a float dtype (float32 or float64), received ${x.dtype}.`);
  }
}

export const effectiveSize = (k: number, d: number): number => (k - 1) * d + 1;

/** TensorFlow's "same" padding: output ceil(in / s), the odd extra position padded at the end. */
export function samePads(inSize: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Explicit padding for concrete spatial sizes; `k` are effective (dilated) window sizes. */
export function resolvePads(
  padding: Padding,
  inSizes: readonly number[],
  k: readonly number[],
  s: readonly number[],
): { before: number[]; after: number[] } {
  if (typeof padding === "object") return padding;
  if (padding === "valid") return { before: inSizes.map(() => 0), after: inSizes.map(() => 0) };
  const pads = inSizes.map((n, i) => samePads(n, k[i], s[i]));
  return { before: pads.map((p) => p[0]), after: pads.map((p) => p[1]) };
}

/** Output size of one spatial axis of a window op (null stays null). */
export function windowOutSize(
  inSize: number | null,
  k: number,
  s: number,
  padding: Padding,
  axis: number,
): number | null {
  if (inSize === null) return null;
  if (padding === "same") return Math.ceil(inSize / s);
  const extra = padding === "valid" ? 0 : padding.before[axis] + padding.after[axis];
  return Math.floor((inSize + extra - k) / s) + 1;
}

/** Moves the channels axis of a channels_first tensor last (and back with `toFirst`). */
export function channelsToLast<A extends AnyTensor>(x: A): A {
  const r = x.shape.length;
  return transpose(x, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]) as A;
}

export function channelsToFirst<A extends AnyTensor>(x: A): A {
  const r = x.shape.length;
  return transpose(x, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]) as A;
}
