import type { TypedArray } from "../dtypes.js";
import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

// Column and depth tiles of B kept hot in cache while the rows of A stream past them.
const TILE_J = 256;
const TILE_K = 128;

/**
 * out[i, j] += sum_k A[i, k] * B[k, j] for all rows i of one batch, over the tile k0..k1, j0..j1.
 * A is read at aOff + i * aRow + k * aCol (so both layouts of A work); B is [K, N] row-major.
 * Two rows by four k at a time: each B load feeds two rows, each out load/store four products.
 */
function tileIKJ(
  A: TypedArray,
  aOff: number,
  aRow: number,
  aCol: number,
  B: TypedArray,
  bOff: number,
  N: number,
  O: TypedArray,
  oOff: number,
  M: number,
  k0: number,
  k1: number,
  j0: number,
  j1: number,
): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const r0 = aOff + i * aRow;
    const r1 = r0 + aRow;
    const o0 = oOff + i * N;
    const o1 = o0 + N;
    let k = k0;
    for (; k + 3 < k1; k += 4) {
      const c0 = k * aCol;
      const c1 = c0 + aCol;
      const c2 = c1 + aCol;
      const c3 = c2 + aCol;
      const x0 = A[r0 + c0];
      const x1 = A[r0 + c1];
      const x2 = A[r0 + c2];
      const x3 = A[r0 + c3];
      const y0 = A[r1 + c0];
      const y1 = A[r1 + c1];
      const y2 = A[r1 + c2];
      const y3 = A[r1 + c3];
      const b0 = bOff + k * N;
      const b1 = b0 + N;
      const b2 = b1 + N;
      const b3 = b2 + N;
      for (let j = j0; j < j1; j++) {
        const p = B[b0 + j];
        const q = B[b1 + j];
        const r = B[b2 + j];
        const s = B[b3 + j];
        O[o0 + j] += x0 * p + x1 * q + x2 * r + x3 * s;
        O[o1 + j] += y0 * p + y1 * q + y2 * r + y3 * s;
      }
    }
    for (; k < k1; k++) {
      const x = A[r0 + k * aCol];
      const y = A[r1 + k * aCol];
      const b0 = bOff + k * N;
      for (let j = j0; j < j1; j++) {
        const p = B[b0 + j];
        O[o0 + j] += x * p;
        O[o1 + j] += y * p;
      }
    }
  }
  if (i < M) {
    const r0 = aOff + i * aRow;
    const o0 = oOff + i * N;
    for (let k = k0; k < k1; k++) {
      const x = A[r0 + k * aCol];
      const b0 = bOff + k * N;
      for (let j = j0; j < j1; j++) O[o0 + j] += x * B[b0 + j];
    }
  }
}

/** Copies the [N, K] matrix at src[off..] into dst as [K, N]. */
function transposeInto(src: TypedArray, off: number, N: number, K: number, dst: TypedArray): void {
  for (let n = 0; n < N; n++) {
    const s = off + n * K;
    for (let k = 0; k < K; k++) dst[k * N + n] = src[s + k];
  }
}

/**
 * Batched matrix product out = op(a) @ op(b), op = transpose when the flag is set.
 * a: [batchA, M, K] ([batchA, K, M] when transA); b: [batchB, K, N] ([batchB, N, K] when transB);
 * out: [batch, M, N]; batchA and batchB are each batch or 1 (broadcast). float32, float64, int32.
 */
function matmul(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, bias?: Tensor | null): void {
  const [batch, M, N] = out.shape;
  const K = transA ? a.shape[1] : a.shape[2];
  const A = a.data;
  const O = out.data;
  O.fill(0);
  if (M !== 0 && N !== 0 && K !== 0) product(a, b, transA, transB, batch, M, N, K, A, O);
  // The bias after the product, as a separate add would round it.
  if (bias) {
    const C = bias.data;
    for (let i = 0; i < O.length; i += N) for (let j = 0; j < N; j++) O[i + j] += C[j];
  }
}

function product(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
  batch: number,
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  O: TypedArray,
): void {
  const strideA = a.shape[0] === 1 ? 0 : M * K;
  const strideB = b.shape[0] === 1 ? 0 : K * N;
  const aRow = transA ? 1 : K;
  const aCol = transA ? M : 1;
  // A transposed B is copied once per distinct batch into a [K, N] scratch so that the inner loop
  // runs over contiguous rows of both B and out.
  let B = b.data;
  let scratch: TypedArray | null = null;
  if (transB) {
    scratch = new (B.constructor as new (n: number) => TypedArray)(K * N);
    if (strideB === 0) transposeInto(b.data, 0, N, K, scratch);
    B = scratch;
  }
  for (let t = 0; t < batch; t++) {
    let bOff = t * strideB;
    if (scratch !== null && strideB !== 0) {
      transposeInto(b.data, bOff, N, K, scratch);
    }
    if (scratch !== null) bOff = 0;
    const aOff = t * strideA;
    const oOff = t * M * N;
    for (let k0 = 0; k0 < K; k0 += TILE_K) {
      const k1 = Math.min(K, k0 + TILE_K);
      for (let j0 = 0; j0 < N; j0 += TILE_J) {
        tileIKJ(A, aOff, aRow, aCol, B, bOff, N, O, oOff, M, k0, k1, j0, Math.min(N, j0 + TILE_J));
      }
    }
  }
}

/**
 * The general contraction behind einsum: for every combination of label indices, adds the
 * product of the inputs (one or two) at that point into out. Each label has a size and, per
 * input and for out, a stride (0 when the label is absent; the sum of strides when it repeats,
 * which reads or writes a diagonal). The last label is the innermost loop. out is overwritten.
 */
function einsumLoop(
  inputs: readonly Tensor[],
  out: Tensor,
  sizes: readonly number[],
  inStrides: readonly (readonly number[])[],
  outStrides: readonly number[],
): void {
  const O = out.data;
  O.fill(0);
  if (inputs.length < 1 || inputs.length > 2) throw new Error("einsumLoop: expected one or two inputs.");
  for (const s of sizes) if (s === 0) return;
  const L = sizes.length;
  const A = inputs[0].data;
  const sa = inStrides[0];
  const two = inputs.length === 2;
  const B = two ? inputs[1].data : A;
  const sb = two ? inStrides[1] : sa;
  if (L === 0) {
    O[0] = two ? A[0] * B[0] : A[0];
    return;
  }
  const n = sizes[L - 1];
  const ia = sa[L - 1];
  const ib = sb[L - 1];
  const io = outStrides[L - 1];
  let rows = 1;
  for (let l = 0; l < L - 1; l++) rows *= sizes[l];
  const counter = new Array<number>(L).fill(0);
  let pa = 0;
  let pb = 0;
  let po = 0;
  for (let r = 0; r < rows; r++) {
    if (io === 0) {
      let acc = 0;
      if (two) for (let i = 0; i < n; i++) acc += A[pa + i * ia] * B[pb + i * ib];
      else for (let i = 0; i < n; i++) acc += A[pa + i * ia];
      O[po] += acc;
    } else if (two) {
      for (let i = 0; i < n; i++) O[po + i * io] += A[pa + i * ia] * B[pb + i * ib];
    } else {
      for (let i = 0; i < n; i++) O[po + i * io] += A[pa + i * ia];
    }
    for (let l = L - 2; l >= 0; l--) {
      counter[l]++;
      pa += sa[l];
      pb += sb[l];
      po += outStrides[l];
      if (counter[l] < sizes[l]) break;
      pa -= sa[l] * sizes[l];
      pb -= sb[l] * sizes[l];
      po -= outStrides[l] * sizes[l];
      counter[l] = 0;
    }
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    /** out = op(a) @ op(b) (+ bias [N] on every row), on [batch, rows, cols] views. */
    matmul(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, bias?: Tensor | null): void;
    einsumLoop(
      inputs: readonly Tensor[],
      out: Tensor,
      sizes: readonly number[],
      inStrides: readonly (readonly number[])[],
      outStrides: readonly number[],
    ): void;
  }
}

registerKernels("cpu", { matmul, einsumLoop });
