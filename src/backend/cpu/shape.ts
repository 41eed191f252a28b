import { registerKernels } from "../kernels.js";
import { stridesOf } from "../shape.js";
import type { Tensor } from "../tensor.js";

/**
 * Drops size-1 axes and merges neighbouring axes that are contiguous in both source and
 * destination, so that copies loop over as few (and as long) rows as possible.
 */
function collapse(shape: readonly number[], src: readonly number[], dst: readonly number[]) {
  const s: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const k = s.length - 1;
    if (k >= 0 && a[k] === src[i] * shape[i] && b[k] === dst[i] * shape[i]) {
      s[k] *= shape[i];
      a[k] = src[i];
      b[k] = dst[i];
    } else {
      s.push(shape[i]);
      a.push(src[i]);
      b.push(dst[i]);
    }
  }
  return { shape: s, src: a, dst: b };
}

/**
 * Copies a box of `shape` elements from `S` (starting at `so`, stepping `ss` per axis) into `D`
 * (starting at `doff`, stepping `ds`). Contiguous innermost rows are copied with `set`.
 */
export function copyBox(
  S: Tensor["data"],
  so: number,
  ss: readonly number[],
  D: Tensor["data"],
  doff: number,
  ds: readonly number[],
  boxShape: readonly number[],
): void {
  for (const d of boxShape) if (d === 0) return;
  const c = collapse(boxShape, ss, ds);
  const rank = c.shape.length;
  if (rank === 0) {
    D[doff] = S[so];
    return;
  }
  const n = c.shape[rank - 1];
  const si = c.src[rank - 1];
  const di = c.dst[rank - 1];
  const contiguous = si === 1 && di === 1;
  let rows = 1;
  for (let i = 0; i < rank - 1; i++) rows *= c.shape[i];
  const counter = new Array<number>(rank).fill(0);
  let s = so;
  let d = doff;
  for (let r = 0; r < rows; r++) {
    if (contiguous) D.set(S.subarray(s, s + n), d);
    else for (let i = 0, a = s, b = d; i < n; i++, a += si, b += di) D[b] = S[a];
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]++;
      s += c.src[ax];
      d += c.dst[ax];
      if (counter[ax] < c.shape[ax]) break;
      s -= c.src[ax] * c.shape[ax];
      d -= c.dst[ax] * c.shape[ax];
      counter[ax] = 0;
    }
  }
}

const BLOCK = 32;

/** out = x with axes permuted: out axis i is x axis perm[i]. Blocked over the two innermost axes. */
function transpose(x: Tensor, perm: readonly number[], out: Tensor): void {
  const xs = stridesOf(x.shape);
  const srcStrides = perm.map((p) => xs[p]);
  const c = collapse(out.shape, srcStrides, stridesOf(out.shape));
  const X = x.data;
  const O = out.data;
  const rank = c.shape.length;
  if (out.size === 0) return;
  if (rank <= 1 && (rank === 0 || c.src[0] === 1)) {
    O.set(X);
    return;
  }
  if (rank === 1) {
    copyBox(X, 0, c.src, O, 0, c.dst, c.shape);
    return;
  }
  // After collapsing, destination strides are row-major in c.shape; tile the last two axes.
  const R = c.shape[rank - 2];
  const C = c.shape[rank - 1];
  const sr = c.src[rank - 2];
  const sc = c.src[rank - 1];
  let outer = 1;
  for (let i = 0; i < rank - 2; i++) outer *= c.shape[i];
  const counter = new Array<number>(Math.max(rank - 2, 0)).fill(0);
  let base = 0;
  for (let o = 0, ob = 0; o < outer; o++, ob += R * C) {
    if (sc === 1) {
      // The innermost axis stays contiguous: whole rows copy at once.
      for (let i = 0; i < R; i++) O.set(X.subarray(base + i * sr, base + i * sr + C), ob + i * C);
    } else {
      for (let i0 = 0; i0 < R; i0 += BLOCK) {
        const i1 = Math.min(i0 + BLOCK, R);
        for (let j0 = 0; j0 < C; j0 += BLOCK) {
          const j1 = Math.min(j0 + BLOCK, C);
          for (let i = i0; i < i1; i++) {
            let s = base + i * sr + j0 * sc;
            let d = ob + i * C + j0;
            for (let j = j0; j < j1; j++, s += sc) O[d++] = X[s];
          }
        }
      }
    }
    for (let ax = rank - 3; ax >= 0; ax--) {
      counter[ax]++;
      base += c.src[ax];
      if (counter[ax] < c.shape[ax]) break;
      base -= c.src[ax] * c.shape[ax];
      counter[ax] = 0;
    }
  }
}

/** out = x[begin[0]:begin[0]+out.shape[0], ...]. */
function slice(x: Tensor, begin: readonly number[], out: Tensor): void {
  const xs = stridesOf(x.shape);
  let off = 0;
  for (let i = 0; i < begin.length; i++) off += begin[i] * xs[i];
  copyBox(x.data, off, xs, out.data, 0, stridesOf(out.shape), out.shape);
}

/** Concatenates `xs` (same dtype as out) along `axis` into `out`. */
function concatenate(xs: readonly Tensor[], axis: number, out: Tensor): void {
  const os = stridesOf(out.shape);
  let at = 0;
  for (const x of xs) {
    copyBox(x.data, 0, stridesOf(x.shape), out.data, at * os[axis], os, x.shape);
    at += x.shape[axis];
  }
}

/**
 * out[o0, o1, ...] = x[maps[0][o0], maps[1][o1], ...], or `fill` where any map entry is -1.
 * Serves tile, repeat, flip and the reflecting pads.
 */
function gatherAxes(x: Tensor, maps: readonly Int32Array[], fill: number, out: Tensor): void {
  const rank = out.shape.length;
  const X = x.data;
  const O = out.data;
  if (out.size === 0) return;
  if (rank === 0) {
    O[0] = X[0];
    return;
  }
  const xs = stridesOf(x.shape);
  const last = maps[rank - 1];
  const n = last.length;
  const sl = xs[rank - 1];
  let rows = 1;
  for (let i = 0; i < rank - 1; i++) rows *= out.shape[i];
  const counter = new Array<number>(rank).fill(0);
  let d = 0;
  for (let r = 0; r < rows; r++) {
    let base = 0;
    let hole = false;
    for (let ax = 0; ax < rank - 1; ax++) {
      const m = maps[ax][counter[ax]];
      if (m < 0) hole = true;
      base += m * xs[ax];
    }
    if (hole) {
      O.fill(fill, d, d + n);
      d += n;
    } else {
      for (let j = 0; j < n; j++) {
        const m = last[j];
        O[d++] = m < 0 ? fill : X[base + m * sl];
      }
    }
    for (let ax = rank - 2; ax >= 0; ax--) {
      if (++counter[ax] < out.shape[ax]) break;
      counter[ax] = 0;
    }
  }
}

/** `x` already has out's rank (the op prepends 1s); repeats are implied by out's shape. */
function tile(x: Tensor, _repeats: readonly number[], out: Tensor): void {
  const maps = out.shape.map((m, ax) => {
    const n = x.shape[ax];
    const a = new Int32Array(m);
    for (let i = 0; i < m; i++) a[i] = i % n;
    return a;
  });
  gatherAxes(x, maps, 0, out);
}

function repeat(x: Tensor, repeats: number, axis: number, out: Tensor): void {
  const maps = out.shape.map((m, ax) => {
    const a = new Int32Array(m);
    for (let i = 0; i < m; i++) a[i] = ax === axis ? Math.floor(i / repeats) : i;
    return a;
  });
  gatherAxes(x, maps, 0, out);
}

function flip(x: Tensor, axes: readonly number[], out: Tensor): void {
  const maps = out.shape.map((m, ax) => {
    const a = new Int32Array(m);
    const rev = axes.includes(ax);
    for (let i = 0; i < m; i++) a[i] = rev ? m - 1 - i : i;
    return a;
  });
  gatherAxes(x, maps, 0, out);
}

export type PadMode = "constant" | "reflect" | "symmetric";

/** Pads `x` by `before[i]` elements at the start of axis i (the end follows from out's shape). */
function pad(x: Tensor, before: readonly number[], mode: PadMode, constantValue: number, out: Tensor): void {
  if (mode === "constant") {
    if (constantValue !== 0) out.data.fill(constantValue);
    const os = stridesOf(out.shape);
    let off = 0;
    for (let i = 0; i < before.length; i++) off += before[i] * os[i];
    copyBox(x.data, 0, stridesOf(x.shape), out.data, off, os, x.shape);
    return;
  }
  const maps = out.shape.map((m, ax) => {
    const n = x.shape[ax];
    const a = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      let j = i - before[ax];
      // Pads never exceed the dimension (checked by the op), so one reflection suffices.
      if (j < 0) j = mode === "reflect" ? -j : -j - 1;
      else if (j >= n) j = mode === "reflect" ? 2 * n - 2 - j : 2 * n - 1 - j;
      a[i] = j;
    }
    return a;
  });
  gatherAxes(x, maps, 0, out);
}

declare module "../kernels.js" {
  interface KernelTable {
    transpose(x: Tensor, perm: readonly number[], out: Tensor): void;
    slice(x: Tensor, begin: readonly number[], out: Tensor): void;
    concatenate(xs: readonly Tensor[], axis: number, out: Tensor): void;
    tile(x: Tensor, repeats: readonly number[], out: Tensor): void;
    repeat(x: Tensor, repeats: number, axis: number, out: Tensor): void;
    flip(x: Tensor, axes: readonly number[], out: Tensor): void;
    pad(x: Tensor, before: readonly number[], mode: PadMode, constantValue: number, out: Tensor): void;
  }
}

registerKernels("cpu", { transpose, slice, concatenate, tile, repeat, flip, pad });
