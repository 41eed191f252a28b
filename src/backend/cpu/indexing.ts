import { registerKernels } from "../kernels.js";
import { stridesOf } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Sizes before, along and after `axis`. */
function split3(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

/**
 * out = x gathered along `axis` at `indices` (any shape, int32, in [-n, n): negatives wrap; the op
 * checks the range). out's shape is x.shape[:axis] + indices.shape + x.shape[axis+1:].
 */
function take(x: Tensor, indices: Tensor, axis: number, out: Tensor): void {
  const [outer, n, inner] = split3(x.shape, axis);
  const I = indices.data;
  const m = I.length;
  const X = x.data;
  const O = out.data;
  let d = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let k = 0; k < m; k++) {
      const i = I[k] < 0 ? I[k] + n : I[k];
      const s = base + i * inner;
      if (inner === 1) O[d++] = X[s];
      else {
        O.set(X.subarray(s, s + inner), d);
        d += inner;
      }
    }
  }
}

/** The adjoint of `take`: out (zero-filled, x's shape) += updates scattered along `axis`. */
function scatterAdd(updates: Tensor, indices: Tensor, axis: number, out: Tensor): void {
  const [outer, n, inner] = split3(out.shape, axis);
  const I = indices.data;
  const m = I.length;
  const U = updates.data;
  const O = out.data;
  let s = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let k = 0; k < m; k++) {
      const i = I[k] < 0 ? I[k] + n : I[k];
      const d = base + i * inner;
      for (let j = 0; j < inner; j++) O[d + j] += U[s++];
    }
  }
}

/** Strides of `shape` seen from a broadcast result: 0 on size-1 axes, except along `axis`. */
function bstrides(shape: readonly number[], outShape: readonly number[], axis: number): number[] {
  const s = stridesOf(shape);
  return s.map((v, i) => (i !== axis && shape[i] === 1 && outShape[i] !== 1 ? 0 : v));
}

/**
 * Walks the elements of `iterShape` in row-major order, calling `body(k, xOff, iOff, idxAxisPos)`
 * with the offset into the data tensor (without the axis term) and into the indices tensor.
 */
function alongAxis(
  dataShape: readonly number[],
  indices: Tensor,
  axis: number,
  iterShape: readonly number[],
  body: (k: number, dOff: number, iOff: number) => void,
): void {
  const ds = bstrides(dataShape, iterShape, axis);
  ds[axis] = 0;
  const is = bstrides(indices.shape, iterShape, -1);
  const rank = iterShape.length;
  let total = 1;
  for (const d of iterShape) total *= d;
  if (total === 0) return;
  const counter = new Array<number>(rank).fill(0);
  let dOff = 0;
  let iOff = 0;
  for (let k = 0; k < total; k++) {
    body(k, dOff, iOff);
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      dOff += ds[ax];
      iOff += is[ax];
      if (counter[ax] < iterShape[ax]) break;
      dOff -= ds[ax] * iterShape[ax];
      iOff -= is[ax] * iterShape[ax];
      counter[ax] = 0;
    }
  }
}

/**
 * out[..., k, ...] = x[..., indices[..., k, ...], ...] along `axis`; x and indices have the same
 * rank and broadcast against each other on the other axes (out has the broadcast shape).
 */
function takeAlongAxis(x: Tensor, indices: Tensor, axis: number, out: Tensor): void {
  const n = x.shape[axis];
  const sa = stridesOf(x.shape)[axis];
  const X = x.data;
  const I = indices.data;
  const O = out.data;
  alongAxis(x.shape, indices, axis, out.shape, (k, xo, io) => {
    const i = I[io] < 0 ? I[io] + n : I[io];
    O[k] = X[xo + i * sa];
  });
}

/** The adjoint of `takeAlongAxis`: out (zero-filled) += updates scattered along `axis`. */
function scatterAddAlongAxis(updates: Tensor, indices: Tensor, axis: number, out: Tensor): void {
  const n = out.shape[axis];
  const sa = stridesOf(out.shape)[axis];
  const U = updates.data;
  const I = indices.data;
  const O = out.data;
  alongAxis(out.shape, indices, axis, updates.shape, (k, oo, io) => {
    const i = I[io] < 0 ? I[io] + n : I[io];
    O[oo + i * sa] += U[k];
  });
}

/** out (zero-filled) gets 1 at class `indices[...]` inserted as `axis`; out-of-range indices give zeros. */
function oneHot(indices: Tensor, numClasses: number, axis: number, out: Tensor): void {
  const [outer, , inner] = split3(out.shape, axis);
  const I = indices.data;
  const O = out.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const c = I[o * inner + j];
      if (c >= 0 && c < numClasses) O[(o * numClasses + c) * inner + j] = 1;
    }
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    take(x: Tensor, indices: Tensor, axis: number, out: Tensor): void;
    scatterAdd(updates: Tensor, indices: Tensor, axis: number, out: Tensor): void;
    takeAlongAxis(x: Tensor, indices: Tensor, axis: number, out: Tensor): void;
    scatterAddAlongAxis(updates: Tensor, indices: Tensor, axis: number, out: Tensor): void;
    oneHot(indices: Tensor, numClasses: number, axis: number, out: Tensor): void;
  }
}

registerKernels("cpu", { take, scatterAdd, takeAlongAxis, scatterAddAlongAxis, oneHot });
