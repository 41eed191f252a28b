import { type DType, type TypedArray, dtypeOfArray } from "./dtypes.js";
import { logAllocation, takeBuffer } from "./buffer_pool.js";
import { type Shape, shapeToString, sizeOf } from "./shape.js";

export type NestedArray = number | boolean | NestedArray[];

/**
 * A concrete tensor: a shape, a dtype and contiguous row-major data in a typed array owned by the
 * garbage collector. Nothing to dispose. Tensors are treated as immutable by every op; kernels
 * write only into tensors they have just allocated.
 */
export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: Shape, dtype: DType = dtypeOfArray(data)) {
    if (dtypeOfArray(data) !== dtype) {
      throw new TypeError(`Tensor: a ${data.constructor.name} cannot hold dtype ${dtype}.`);
    }
    if (data.length !== sizeOf(shape)) {
      throw new Error(
        `Tensor: data has ${data.length} elements but shape ${shapeToString(shape)} needs ${sizeOf(shape)}.`,
      );
    }
    this.data = data;
    this.shape = shape;
    this.dtype = dtype;
  }

  /** A new zero-filled tensor. */
  static empty(shape: Shape, dtype: DType = "float32"): Tensor {
    return Tensor.output(shape, dtype, true);
  }

  /**
   * A new tensor whose memory is not zeroed, for kernels that write every element (zeroing large
   * outputs costs as much as a small matmul). Falls back to zeroed memory outside Node.
   */
  static uninitialized(shape: Shape, dtype: DType = "float32"): Tensor {
    return Tensor.output(shape, dtype, false);
  }

  private static output(shape: Shape, dtype: DType, zeroed: boolean): Tensor {
    const n = sizeOf(shape);
    const data = view(outputBuffer(n * BYTES[dtype], zeroed), dtype, n);
    logAllocation(data, zeroed);
    return new Tensor(data, shape, dtype);
  }

  get rank(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** The underlying typed array (not a copy: do not write to it). */
  dataSync(): TypedArray {
    return this.data;
  }

  /** The values as nested JavaScript arrays (booleans for `bool`). */
  toArray(): NestedArray {
    const { data, shape, dtype } = this;
    const read = dtype === "bool" ? (i: number) => data[i] !== 0 : (i: number) => data[i];
    if (shape.length === 0) return read(0);
    let offset = 0;
    const build = (axis: number): NestedArray[] => {
      const out: NestedArray[] = new Array(shape[axis]);
      for (let i = 0; i < shape[axis]; i++) out[i] = axis === shape.length - 1 ? read(offset++) : build(axis + 1);
      return out;
    };
    return build(0);
  }

  /** Alias of `toArray()` for TensorFlow.js users. */
  arraySync(): NestedArray {
    return this.toArray();
  }

  /** The single value of a one-element tensor. */
  item(): number | boolean {
    if (this.size !== 1) {
      throw new Error(`Tensor.item: expected a tensor with one element, received shape ${shapeToString(this.shape)}.`);
    }
    return this.dtype === "bool" ? this.data[0] !== 0 : this.data[0];
  }

  toString(): string {
    return `Tensor(shape=${shapeToString(this.shape)}, dtype=${this.dtype})\n${formatValues(this)}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * @internal Memory for a kernel's output (Tensor's, and a replayed kernel trace's): a recycled
 * buffer of that size when the pool has one, else new memory; zero-filled when asked, else left
 * as it is (Node's unzeroed allocation, from 4 KiB: below, the call costs more than the zeroing).
 */
export function outputBuffer(bytes: number, zeroed: boolean): ArrayBuffer {
  const recycled = takeBuffer(bytes);
  if (recycled) {
    if (zeroed) new Uint8Array(recycled).fill(0);
    return recycled;
  }
  if (zeroed || typeof Buffer === "undefined" || bytes < 4096) return new ArrayBuffer(bytes);
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
}

const MAX_SHOWN = 6;

function formatValues(t: Tensor): string {
  const fmt = (v: number): string => {
    if (t.dtype === "bool") return v ? "true" : "false";
    if (t.dtype === "int32" || Number.isInteger(v)) return String(v);
    return Number(v.toPrecision(6)).toString();
  };
  if (t.rank === 0) return fmt(t.data[0]);
  const strides: number[] = [];
  let s = 1;
  for (let i = t.rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= t.shape[i];
  }
  const render = (axis: number, offset: number, indent: string): string => {
    const n = t.shape[axis];
    const idx = n > MAX_SHOWN ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    const parts = idx.map((i) =>
      i < 0
        ? "..."
        : axis === t.rank - 1
          ? fmt(t.data[offset + i])
          : render(axis + 1, offset + i * strides[axis], `${indent} `),
    );
    const sep = axis === t.rank - 1 ? ", " : `,\n${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, "");
}

function view(buffer: ArrayBuffer, dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, 0, n);
    case "float64":
      return new Float64Array(buffer, 0, n);
    case "int32":
      return new Int32Array(buffer, 0, n);
    case "bool":
      return new Uint8Array(buffer, 0, n);
  }
}
