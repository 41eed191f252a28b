import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { forEachRow } from "./broadcast.js";

export type ReduceOp = "sum" | "max" | "min" | "prod" | "all" | "any";
export type ArgReduceOp = "argmax" | "argmin";
export type CumulativeOp = "sum" | "prod";

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, all: 1, any: 0 };

/**
 * Calls `body(start, o, s, n)` once per row of x's last axis: elements `start..start+n-1` of x reduce
 * into output positions `o, o+s, o+2s, ...` (`s` is 0 when the last axis is one of `axes`).
 */
function forEachReducedRow(
  shape: readonly number[],
  axes: readonly number[],
  body: (start: number, o: number, s: number, n: number) => void,
): void {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  forEachRow(shape, [kept], (start, off, inner, n) => body(start, off[0], inner[0], n));
}

/**
 * Reduces `x` over `axes` into `out`, whose shape is x's with the reduced axes kept as 1 or dropped
 * (same element order either way). Accumulates in float64 whatever the dtypes, so that float32 sums
 * keep their precision and the ±Infinity starting values of max/min work for int32 and bool outputs.
 * NaN propagates through max and min, as in NumPy; all/any count NaN as true, as NumPy does.
 */
function reduce(op: ReduceOp, x: Tensor, axes: readonly number[], out: Tensor): void {
  const X = x.data;
  const A = new Float64Array(out.size).fill(INIT[op]);
  forEachReducedRow(x.shape, axes, (start, o, s, n) => {
    const end = start + n;
    if (s === 0) {
      let acc = A[o];
      switch (op) {
        case "sum":
          for (let i = start; i < end; i++) acc += X[i];
          break;
        case "prod":
          for (let i = start; i < end; i++) acc *= X[i];
          break;
        case "max":
          for (let i = start; i < end; i++) {
            const v = X[i];
            if (v > acc || Number.isNaN(v)) acc = v;
          }
          break;
        case "min":
          for (let i = start; i < end; i++) {
            const v = X[i];
            if (v < acc || Number.isNaN(v)) acc = v;
          }
          break;
        case "all":
          for (let i = start; i < end && acc; i++) if (X[i] === 0) acc = 0;
          break;
        case "any":
          for (let i = start; i < end && !acc; i++) if (X[i] !== 0) acc = 1;
          break;
      }
      A[o] = acc;
      return;
    }
    switch (op) {
      case "sum":
        for (let i = start; i < end; i++, o += s) A[o] += X[i];
        break;
      case "prod":
        for (let i = start; i < end; i++, o += s) A[o] *= X[i];
        break;
      case "max":
        for (let i = start; i < end; i++, o += s) {
          const v = X[i];
          if (v > A[o] || Number.isNaN(v)) A[o] = v;
        }
        break;
      case "min":
        for (let i = start; i < end; i++, o += s) {
          const v = X[i];
          if (v < A[o] || Number.isNaN(v)) A[o] = v;
        }
        break;
      case "all":
        for (let i = start; i < end; i++, o += s) if (X[i] === 0) A[o] = 0;
        break;
      case "any":
        for (let i = start; i < end; i++, o += s) if (X[i] !== 0) A[o] = 1;
        break;
    }
  });
  out.data.set(A);
}

/** Population variance (ddof 0) over `axes`, two-pass (mean first) for accuracy. */
function variance(x: Tensor, axes: readonly number[], out: Tensor): void {
  const X = x.data;
  const M = new Float64Array(out.size);
  const V = new Float64Array(out.size);
  const count = out.size === 0 ? 0 : x.size / out.size;
  forEachReducedRow(x.shape, axes, (start, o, s, n) => {
    for (let i = start; i < start + n; i++, o += s) M[o] += X[i];
  });
  for (let i = 0; i < M.length; i++) M[i] /= count;
  forEachReducedRow(x.shape, axes, (start, o, s, n) => {
    for (let i = start; i < start + n; i++, o += s) {
      const d = X[i] - M[o];
      V[o] += d * d;
    }
  });
  for (let i = 0; i < V.length; i++) V[i] /= count;
  out.data.set(V);
}

/**
 * log(sum(exp(x))) over `axes`, shifted by the max so that large inputs do not overflow. A max of
 * ±Infinity is not subtracted (all -Infinity gives -Infinity, any +Infinity gives +Infinity).
 */
function logsumexp(x: Tensor, axes: readonly number[], out: Tensor): void {
  const X = x.data;
  const M = new Float64Array(out.size).fill(-Infinity);
  const S = new Float64Array(out.size);
  forEachReducedRow(x.shape, axes, (start, o, s, n) => {
    for (let i = start; i < start + n; i++, o += s) {
      const v = X[i];
      if (v > M[o] || Number.isNaN(v)) M[o] = v;
    }
  });
  for (let i = 0; i < M.length; i++) if (M[i] === Infinity || M[i] === -Infinity) M[i] = 0;
  forEachReducedRow(x.shape, axes, (start, o, s, n) => {
    for (let i = start; i < start + n; i++, o += s) S[o] += Math.exp(X[i] - M[o]);
  });
  const O = out.data;
  for (let i = 0; i < O.length; i++) O[i] = Math.log(S[i]) + M[i];
}

/**
 * Index of the first maximum (argmax) or minimum (argmin) along `axis` into the int32 `out`
 * (x's shape without that axis). A NaN counts as the extreme, as in NumPy.
 */
function argReduce(op: ArgReduceOp, x: Tensor, axis: number, out: Tensor): void {
  const X = x.data;
  const O = out.data;
  const n = x.shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  const outer = inner === 0 || n === 0 ? 0 : x.size / (n * inner);
  const sign = op === "argmax" ? 1 : -1;
  for (let a = 0; a < outer; a++) {
    const base = a * n * inner;
    for (let j = 0; j < inner; j++) {
      let p = base + j;
      let best = sign * X[p];
      let idx = 0;
      if (!Number.isNaN(best)) {
        for (let k = 1; k < n; k++) {
          p += inner;
          const v = sign * X[p];
          if (v > best) {
            best = v;
            idx = k;
          } else if (Number.isNaN(v)) {
            idx = k;
            break;
          }
        }
      }
      O[a * inner + j] = idx;
    }
  }
}

/**
 * Running sum or product along `axis` into `out` (x's shape). `reverse` runs from the end;
 * `exclusive` leaves each element out of its own result (the first one gets 0 or 1).
 * Accumulates in float64, one running value per position of the axes after `axis`.
 */
function cumulative(
  op: CumulativeOp,
  x: Tensor,
  axis: number,
  reverse: boolean,
  exclusive: boolean,
  out: Tensor,
): void {
  const X = x.data;
  const O = out.data;
  const n = x.shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  const outer = inner === 0 || n === 0 ? 0 : x.size / (n * inner);
  const acc = new Float64Array(inner);
  const isSum = op === "sum";
  for (let a = 0; a < outer; a++) {
    acc.fill(isSum ? 0 : 1);
    for (let t = 0; t < n; t++) {
      const k = reverse ? n - 1 - t : t;
      const row = (a * n + k) * inner;
      for (let j = 0; j < inner; j++) {
        const v = X[row + j];
        if (exclusive) O[row + j] = acc[j];
        if (isSum) acc[j] += v;
        else acc[j] *= v;
        if (!exclusive) O[row + j] = acc[j];
      }
    }
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    reduce(op: ReduceOp, x: Tensor, axes: readonly number[], out: Tensor): void;
    variance(x: Tensor, axes: readonly number[], out: Tensor): void;
    logsumexp(x: Tensor, axes: readonly number[], out: Tensor): void;
    argReduce(op: ArgReduceOp, x: Tensor, axis: number, out: Tensor): void;
    cumulative(op: CumulativeOp, x: Tensor, axis: number, reverse: boolean, exclusive: boolean, out: Tensor): void;
  }
}

registerKernels("cpu", { reduce, variance, logsumexp, argReduce, cumulative });
