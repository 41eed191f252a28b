import { type DType, type TypedArray, allocate, dtypeOfArray, standardizeDType } from "./dtypes.js";
import { Tensor, type NestedArray } from "./tensor.js";
import { kernels } from "./kernels.js";
import "./cpu/elementwise.js";

/** Anything `convertToTensor` accepts as concrete data. */
export type TensorData = Tensor | TypedArray | NestedArray | readonly NestedArray[];

function isTypedArray(x: unknown): x is TypedArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

/**
 * Copies `x` into a new tensor of `dtype` (bool: nonzero is true; int32: truncation toward zero).
 * A kernel does the copy, so that kernel traces (backend/trace.ts) replay it.
 */
export function castTensor(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = Tensor.uninitialized(x.shape.slice(), dtype);
  kernels.cast(x, out);
  return out;
}

/**
 * Builds a tensor from nested arrays, typed arrays, numbers or booleans. The shape is inferred;
 * a ragged nested array is an error that names the first offending position.
 */
export function toTensor(data: TensorData, dtype?: DType | string): Tensor {
  const want = dtype === undefined ? undefined : standardizeDType(dtype, "convertToTensor");
  if (data instanceof Tensor) return want ? castTensor(data, want) : data;
  if (isTypedArray(data)) {
    // Bytes (image data) are numbers, not booleans.
    const t =
      data instanceof Uint8Array
        ? new Tensor(Int32Array.from(data), [data.length], "int32")
        : new Tensor(data, [data.length], dtypeOfArray(data));
    return want ? castTensor(t, want) : t;
  }
  if (typeof data === "number" || typeof data === "boolean") {
    const d = want ?? (typeof data === "boolean" ? "bool" : "float32");
    const arr = allocate(d, 1);
    arr[0] = d === "bool" ? (Number(data) !== 0 ? 1 : 0) : Number(data);
    return new Tensor(arr, [], d);
  }
  if (!Array.isArray(data)) {
    throw new TypeError(
      `convertToTensor: expected a number, boolean, nested array, typed array or Tensor, received ${describe(data)}.`,
    );
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  let size = 1;
  for (const s of shape) size *= s;
  // Values are gathered in float64 and cast once, so that the dtype reflects every element
  // (booleans mixed with numbers are numbers) and int32 values keep full precision.
  const out = new Float64Array(size);
  let sawNumber = false;
  let k = 0;
  const path: number[] = [];
  const fill = (x: unknown, axis: number): void => {
    if (axis === shape.length) {
      if (typeof x === "number") {
        sawNumber = true;
        out[k++] = x;
        return;
      }
      if (typeof x === "boolean") {
        out[k++] = x ? 1 : 0;
        return;
      }
      throw new TypeError(
        `convertToTensor: ragged or invalid nested array at ${pathString(path)}: expected a number, received ${describe(x)} (inferred shape [${shape.join(", ")}]).`,
      );
    }
    if (!Array.isArray(x) || x.length !== shape[axis]) {
      const got = Array.isArray(x) ? `an array of length ${x.length}` : describe(x);
      throw new TypeError(
        `convertToTensor: ragged nested array at ${pathString(path)}: expected an array of length ${shape[axis]}, received ${got} (inferred shape [${shape.join(", ")}]).`,
      );
    }
    for (let i = 0; i < x.length; i++) {
      path.push(i);
      fill(x[i], axis + 1);
      path.pop();
    }
  };
  fill(data, 0);
  const d = want ?? (typeof probe === "boolean" && !sawNumber ? "bool" : "float32");
  return castTensor(new Tensor(out, shape, "float64"), d);
}

function pathString(path: number[]): string {
  return path.length === 0 ? "the top level" : `position ${path.map((i) => `[${i}]`).join("")}`;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `${typeof x} ${String(x)}`;
}
