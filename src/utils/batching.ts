import { type Shape, sizeOf } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";

/** Rows [start, end) of `x` along axis 0, sharing its buffer (no copy). */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  const row = sizeOf(x.shape.slice(1));
  return new Tensor(x.data.subarray(start * row, end * row), [end - start, ...x.shape.slice(1)], x.dtype);
}

/** Rows of `x` picked by `indices` (a copy), for shuffled batches. */
export function gatherRows(x: Tensor, indices: ArrayLike<number>): Tensor {
  const row = sizeOf(x.shape.slice(1));
  const out = Tensor.empty([indices.length, ...x.shape.slice(1)], x.dtype);
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i] * row;
    out.data.set(x.data.subarray(s, s + row), i * row);
  }
  return out;
}

/** Joins tensors along axis 0 (all other dimensions equal). */
export function concatRows(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const rest = parts[0].shape.slice(1);
  const n = parts.reduce((a, p) => a + p.shape[0], 0);
  const shape: Shape = [n, ...rest];
  const out = Tensor.empty(shape, parts[0].dtype);
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.size;
  }
  return out;
}
