import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { forEachRow } from "./broadcast.js";

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

/** Scalar functions of the element-wise kernels, by op name. Native kernels use the same names. */
export const UNARY: Record<string, Unary> = {
  negative: (x) => -x,
  square: (x) => x * x,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  floor: Math.floor,
  ceil: Math.ceil,
  // NumPy rounds half to even.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  logicalNot: (x) => (x ? 0 : 1),
  isnan: (x) => (Number.isNaN(x) ? 1 : 0),
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
  reciprocal: (x) => 1 / x,
  identity: (x) => x,
};

export const BINARY: Record<string, Binary> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  // Python/NumPy semantics: the result takes the sign of the divisor.
  floorDivide: (a, b) => Math.floor(a / b),
  mod: (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  power: Math.pow,
  maximum: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a < b || Number.isNaN(a) ? a : b),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
  atan2: Math.atan2,
};

function unary(op: string, x: Tensor, out: Tensor): void {
  const f = UNARY[op];
  if (!f) throw new Error(`cpu kernel 'unary': unknown op '${op}'.`);
  const a = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = f(a[i]);
}

function binary(op: string, a: Tensor, b: Tensor, out: Tensor): void {
  const f = BINARY[op];
  if (!f) throw new Error(`cpu kernel 'binary': unknown op '${op}'.`);
  const A = a.data;
  const B = b.data;
  const O = out.data;
  if (A.length === O.length && B.length === O.length) {
    for (let i = 0; i < O.length; i++) O[i] = f(A[i], B[i]);
    return;
  }
  if (B.length === 1 && A.length === O.length) {
    const s = B[0];
    for (let i = 0; i < O.length; i++) O[i] = f(A[i], s);
    return;
  }
  if (A.length === 1 && B.length === O.length) {
    const s = A[0];
    for (let i = 0; i < O.length; i++) O[i] = f(s, B[i]);
    return;
  }
  forEachRow(out.shape, [a.shape, b.shape], (start, off, inner, n) => {
    let ia = off[0];
    let ib = off[1];
    const sa = inner[0];
    const sb = inner[1];
    for (let i = 0; i < n; i++, ia += sa, ib += sb) O[start + i] = f(A[ia], B[ib]);
  });
}

/** out = cond ? a : b, all three broadcast to out's shape. */
function where(cond: Tensor, a: Tensor, b: Tensor, out: Tensor): void {
  const C = cond.data;
  const A = a.data;
  const B = b.data;
  const O = out.data;
  forEachRow(out.shape, [cond.shape, a.shape, b.shape], (start, off, inner, n) => {
    let ic = off[0];
    let ia = off[1];
    let ib = off[2];
    for (let i = 0; i < n; i++, ic += inner[0], ia += inner[1], ib += inner[2]) {
      O[start + i] = C[ic] ? A[ia] : B[ib];
    }
  });
}

/** Copies `x` broadcast to out's shape. */
function broadcastTo(x: Tensor, out: Tensor): void {
  const X = x.data;
  const O = out.data;
  forEachRow(out.shape, [x.shape], (start, off, inner, n) => {
    let ix = off[0];
    const s = inner[0];
    if (s === 1) O.set(X.subarray(ix, ix + n), start);
    else for (let i = 0; i < n; i++, ix += s) O[start + i] = X[ix];
  });
}

/** out = clip(x, lo, hi), with the bounds as numbers. */
function clip(x: Tensor, lo: number, hi: number, out: Tensor): void {
  const X = x.data;
  const O = out.data;
  for (let i = 0; i < O.length; i++) {
    const v = X[i];
    O[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    unary(op: string, x: Tensor, out: Tensor): void;
    binary(op: string, a: Tensor, b: Tensor, out: Tensor): void;
    where(cond: Tensor, a: Tensor, b: Tensor, out: Tensor): void;
    broadcastTo(x: Tensor, out: Tensor): void;
    clip(x: Tensor, lo: number, hi: number, out: Tensor): void;
    /** out = x converted to out's dtype (bool: nonzero, NaN included, is 1; int32: truncation). */
    cast(x: Tensor, out: Tensor): void;
  }
}

function cast(x: Tensor, out: Tensor): void {
  const src = x.data;
  const dst = out.data;
  if (out.dtype === "bool") for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  else dst.set(src);
}

registerKernels("cpu", { unary, binary, where, broadcastTo, clip, cast });
