import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { forEachRow } from "./broadcast.js";

export type ReduceOp = "sum" | "max" | "min" | "prod";

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

/**
 * Reduces `x` over `axes` into `out`, whose shape is x's with the reduced axes kept as 1 or dropped
 * (same element order either way). NaN propagates through max and min, as in NumPy.
 */
function reduce(op: ReduceOp, x: Tensor, axes: readonly number[], out: Tensor): void {
  const O = out.data;
  const X = x.data;
  O.fill(INIT[op]);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  forEachRow(x.shape, [kept], (start, off, inner, n) => {
    let o = off[0];
    const s = inner[0];
    if (s === 0) {
      let acc = O[o];
      switch (op) {
        case "sum":
          for (let i = 0; i < n; i++) acc += X[start + i];
          break;
        case "prod":
          for (let i = 0; i < n; i++) acc *= X[start + i];
          break;
        case "max":
          for (let i = 0; i < n; i++) {
            const v = X[start + i];
            if (v > acc || Number.isNaN(v)) acc = v;
          }
          break;
        case "min":
          for (let i = 0; i < n; i++) {
            const v = X[start + i];
            if (v < acc || Number.isNaN(v)) acc = v;
          }
          break;
      }
      O[o] = acc;
      return;
    }
    for (let i = 0; i < n; i++, o += s) {
      const v = X[start + i];
      switch (op) {
        case "sum":
          O[o] += v;
          break;
        case "prod":
          O[o] *= v;
          break;
        case "max":
          if (v > O[o] || Number.isNaN(v)) O[o] = v;
          break;
        case "min":
          if (v < O[o] || Number.isNaN(v)) O[o] = v;
          break;
      }
    }
  });
}

declare module "../kernels.js" {
  interface KernelTable {
    reduce(op: ReduceOp, x: Tensor, axes: readonly number[], out: Tensor): void;
  }
}

registerKernels("cpu", { reduce });
