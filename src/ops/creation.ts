import { castTensor, type TensorData, toTensor } from "../backend/convert.js";
import { type DType, standardizeDType } from "../backend/dtypes.js";
import { shapeToString, sizeOf } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { apply1, defineOp, toAny } from "./registry.js";
import type { AnyTensor, Out, TensorInput } from "./types.js";

function dt(dtype: DType | string | undefined, fallback: DType = "float32"): DType {
  return dtype === undefined ? fallback : standardizeDType(dtype, "dtype");
}

function checkShape(op: string, shape: number | readonly number[]): number[] {
  // NumPy and Keras accept an integer for a 1-D shape.
  if (typeof shape === "number") shape = [shape];
  if (!Array.isArray(shape)) {
    throw new TypeError(`ops.${op}: shape must be an array of non-negative integers, received ${String(shape)}.`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`ops.${op}: shape must hold non-negative integers, received ${shapeToString(shape)}.`);
    }
  }
  return shape.slice();
}

/** Converts nested arrays, typed arrays, numbers or tensors to a Tensor (float32 by default). */
export function convertToTensor(
  data: TensorData | import("../backend/variable.js").Variable,
  dtype?: DType | string,
): Tensor {
  const d = dtype === undefined ? undefined : standardizeDType(dtype, "ops.convertToTensor");
  // Nested arrays go straight to `d` (no float32 detour, which would round integers above 2^24).
  // bool goes through float64 and castTensor: backend toTensor stores raw numbers in bool tensors.
  const t = toAny(data as TensorInput, d === "bool" ? "float64" : d);
  if (!(t instanceof Tensor))
    throw new TypeError("ops.convertToTensor: received a symbolic tensor, which holds no values.");
  return d === undefined ? t : castTensor(t, d);
}

/** The stored value of `v` in `dtype` (bool: nonzero, NaN included, is 1, as castTensor does). */
function storedValue(v: number, dtype: DType): number {
  return dtype === "bool" ? (v !== 0 ? 1 : 0) : v;
}

/** A tensor of `shape` filled with `fillValue` (float32 unless `dtype` says; bool for a boolean fill). */
export function full(shape: number | readonly number[], fillValue: number | boolean, dtype?: DType | string): Tensor {
  const t = Tensor.empty(checkShape("full", shape), dt(dtype, typeof fillValue === "boolean" ? "bool" : "float32"));
  t.data.fill(storedValue(Number(fillValue), t.dtype));
  return t;
}

export function zeros(shape: number | readonly number[], dtype?: DType | string): Tensor {
  return Tensor.empty(checkShape("zeros", shape), dt(dtype));
}

export function ones(shape: number | readonly number[], dtype?: DType | string): Tensor {
  return full(shape, 1, dtype);
}

const FULL_LIKE = defineOp<{ value: number; dtype?: DType }>({
  name: "fullLike",
  nonDifferentiable: true,
  spec: ([x], { dtype }) => ({ shape: x.shape, dtype: dtype ?? x.dtype }),
  forward: (_x, { value }, [o]) => {
    const t = Tensor.empty(o.shape, o.dtype);
    if (value !== 0) t.data.fill(storedValue(value, o.dtype));
    return t;
  },
});

/** A tensor of `x`'s shape (and dtype unless given) filled with `fillValue`. */
export function fullLike<T extends TensorInput>(x: T, fillValue: number | boolean, dtype?: DType | string): Out<T> {
  return apply1(FULL_LIKE, [toAny(x)], {
    value: Number(fillValue),
    dtype: dtype === undefined ? undefined : dt(dtype),
  }) as Out<T>;
}

export function zerosLike<T extends TensorInput>(x: T, dtype?: DType | string): Out<T> {
  return fullLike(x, 0, dtype);
}

export function onesLike<T extends TensorInput>(x: T, dtype?: DType | string): Out<T> {
  return fullLike(x, 1, dtype);
}

/**
 * Evenly spaced values in [start, stop) (NumPy's arange): `arange(5)`, `arange(2, 10, 2)`.
 * int32 when every argument is an integer, float32 otherwise, unless `dtype` says.
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DType | string): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (![start, stop, step].every(Number.isFinite)) {
    throw new RangeError(
      `ops.arange: start, stop and step must be finite numbers, received ${start}, ${stop}, ${step}.`,
    );
  }
  if (step === 0) throw new RangeError("ops.arange: step must not be 0.");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const ints = [start, stop, step].every(Number.isInteger);
  const t = Tensor.empty([n], dt(dtype, ints ? "int32" : "float32"));
  for (let i = 0; i < n; i++) t.data[i] = start + i * step;
  return t;
}

/** The N×M matrix with ones on diagonal `k` (0 the main one, > 0 above it, < 0 below); M defaults to N. */
export function eye(n: number, m?: number | null, k = 0, dtype?: DType | string): Tensor {
  m = m ?? n;
  if (!Number.isInteger(k)) throw new RangeError(`ops.eye: k must be an integer, received ${k}.`);
  const t = Tensor.empty(checkShape("eye", [n, m]), dt(dtype));
  for (let i = 0; i < n; i++) {
    const j = i + k;
    if (j >= 0 && j < m) t.data[i * m + j] = 1;
  }
  return t;
}

/** Copies the data of `x` (same shape and dtype). */
export function copy(x: Tensor): Tensor {
  return new Tensor(x.data.slice(), x.shape.slice(), x.dtype);
}

export function tensor(data: TensorData, dtype?: DType | string): Tensor {
  return toTensor(data, dtype);
}

export function size(x: AnyTensor): number | null {
  let n = 1;
  for (const d of x.shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

export { sizeOf };
