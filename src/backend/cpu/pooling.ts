import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/**
 * Explicit parameters of N-d pooling (N = 1, 2 or 3), one entry per spatial axis. `padBefore` is what
 * the kernels index by; `padAfter` is implied by the shapes and passed for backends that want it.
 * Padded positions never take part: max ignores them, average divides by the number of window
 * positions inside the input (as TensorFlow and Keras do for "same" padding).
 */
export interface PoolParams {
  poolSize: number[];
  strides: number[];
  padBefore: number[];
  padAfter: number[];
}

declare module "../kernels.js" {
  interface KernelTable {
    /** Channels-last max pooling: x [B, ...inSpatial, C], out [B, ...outSpatial, C]. NaN propagates. */
    maxPool(x: Tensor, out: Tensor, p: PoolParams): void;
    /**
     * Gradient of maxPool: each dy element goes to the first position (in window order) holding its
     * window's maximum. x is the pooling input, dy [B, ...outSpatial, C], out = dx shaped as x.
     */
    maxPoolGrad(x: Tensor, dy: Tensor, out: Tensor, p: PoolParams): void;
    /** The transpose of maxPoolGrad: out[o] = ddx[argmax of window o in x]; out shaped as the pooled output. */
    maxPoolGradGrad(x: Tensor, ddx: Tensor, out: Tensor, p: PoolParams): void;
    /** Channels-last average pooling over the window positions inside the input. */
    avgPool(x: Tensor, out: Tensor, p: PoolParams): void;
    /** Gradient of avgPool: dy [B, ...outSpatial, C], out = dx [B, ...inSpatial, C]. */
    avgPoolGrad(dy: Tensor, out: Tensor, p: PoolParams): void;
  }
}

interface Geometry {
  B: number;
  C: number;
  in: number[];
  k: number[];
  out: number[];
  s: number[];
  pad: number[];
}

function to3(v: readonly number[], fill: number): number[] {
  const r = v.slice();
  while (r.length < 3) r.unshift(fill);
  return r;
}

function geometry(xShape: readonly number[], yShape: readonly number[], p: PoolParams): Geometry {
  const n = xShape.length - 2;
  return {
    B: xShape[0],
    C: xShape[n + 1],
    in: to3(xShape.slice(1, n + 1), 1),
    k: to3(p.poolSize, 1),
    out: to3(yShape.slice(1, n + 1), 1),
    s: to3(p.strides, 1),
    pad: to3(p.padBefore, 0),
  };
}

/**
 * Calls `start(yOff)` for each output position (offset of its channel row), then `body(xOff)` for
 * every window position inside the input, then `end(yOff, count)` with the number of such positions.
 */
function walk(
  g: Geometry,
  start: (yOff: number) => void,
  body: (xOff: number) => void,
  end: (yOff: number, count: number) => void,
): void {
  const [D, H, W] = g.in;
  const [KD, KH, KW] = g.k;
  const [OD, OH, OW] = g.out;
  const [sd, sh, sw] = g.s;
  const [pd, ph, pw] = g.pad;
  const C = g.C;
  let yOff = 0;
  for (let b = 0; b < g.B; b++) {
    for (let od = 0; od < OD; od++) {
      const d0 = Math.max(0, od * sd - pd);
      const d1 = Math.min(D, od * sd - pd + KD);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = Math.max(0, oh * sh - ph);
        const h1 = Math.min(H, oh * sh - ph + KH);
        for (let ow = 0; ow < OW; ow++, yOff += C) {
          const w0 = Math.max(0, ow * sw - pw);
          const w1 = Math.min(W, ow * sw - pw + KW);
          start(yOff);
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const row = ((b * D + id) * H + ih) * W;
              for (let iw = w0; iw < w1; iw++) body((row + iw) * C);
            }
          }
          end(yOff, Math.max(0, d1 - d0) * Math.max(0, h1 - h0) * Math.max(0, w1 - w0));
        }
      }
    }
  }
}

let f64 = new Float64Array(256);
let i32 = new Int32Array(256);
function f64Of(n: number): Float64Array {
  if (f64.length < n) f64 = new Float64Array(Math.max(n, f64.length * 2));
  return f64;
}
function i32Of(n: number): Int32Array {
  if (i32.length < n) i32 = new Int32Array(Math.max(n, i32.length * 2));
  return i32;
}

/** Walks the windows tracking, per channel, the maximum (`best`) and where it is (`arg`, -1 if none). */
function walkArgmax(x: Tensor, yShape: readonly number[], p: PoolParams, end: (yOff: number, arg: Int32Array) => void) {
  const g = geometry(x.shape, yShape, p);
  const C = g.C;
  const X = x.data;
  const best = f64Of(C);
  const arg = i32Of(C);
  walk(
    g,
    () => arg.fill(-1, 0, C),
    (xOff) => {
      for (let c = 0; c < C; c++) {
        const v = X[xOff + c];
        const b = best[c];
        // First maximum wins; a NaN wins over numbers (and the first NaN over later ones).
        if (arg[c] < 0 || v > b || (Number.isNaN(v) && !Number.isNaN(b))) {
          best[c] = v;
          arg[c] = xOff + c;
        }
      }
    },
    (yOff) => end(yOff, arg),
  );
}

/** Forward max or average pooling as plain loops (the most used kernels; no callbacks). */
function poolForward(max: boolean, x: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(x.shape, out.shape, p);
  const [D, H, W] = g.in;
  const [KD, KH, KW] = g.k;
  const [OD, OH, OW] = g.out;
  const [sd, sh, sw] = g.s;
  const [pd, ph, pw] = g.pad;
  const C = g.C;
  const X = x.data;
  const Y = out.data;
  const acc = f64Of(C);
  const init = max ? Number.NEGATIVE_INFINITY : 0;
  let yOff = 0;
  for (let b = 0; b < g.B; b++) {
    for (let od = 0; od < OD; od++) {
      const d0 = Math.max(0, od * sd - pd);
      const d1 = Math.min(D, od * sd - pd + KD);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = Math.max(0, oh * sh - ph);
        const h1 = Math.min(H, oh * sh - ph + KH);
        for (let ow = 0; ow < OW; ow++, yOff += C) {
          const w0 = Math.max(0, ow * sw - pw);
          const w1 = Math.min(W, ow * sw - pw + KW);
          acc.fill(init, 0, C);
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const row = ((b * D + id) * H + ih) * W;
              for (let iw = w0; iw < w1; iw++) {
                const x0 = (row + iw) * C;
                if (max) {
                  for (let c = 0; c < C; c++) {
                    // Math.max propagates NaN (as NumPy and TensorFlow do) and compiles without a branch.
                    acc[c] = Math.max(acc[c], X[x0 + c]);
                  }
                } else for (let c = 0; c < C; c++) acc[c] += X[x0 + c];
              }
            }
          }
          if (max) for (let c = 0; c < C; c++) Y[yOff + c] = acc[c];
          else {
            // A window entirely in the padding (only possible with explicit padding) averages to 0.
            const count = Math.max(0, d1 - d0) * Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
            const inv = count > 0 ? 1 / count : 0;
            for (let c = 0; c < C; c++) Y[yOff + c] = acc[c] * inv;
          }
        }
      }
    }
  }
}

function maxPool(x: Tensor, out: Tensor, p: PoolParams): void {
  poolForward(true, x, out, p);
}

function maxPoolGrad(x: Tensor, dy: Tensor, out: Tensor, p: PoolParams): void {
  const DY = dy.data;
  const C = dy.shape[dy.rank - 1];
  // Accumulate in float64 (overlapping windows may send several gradients to one position).
  const acc = new Float64Array(out.size);
  walkArgmax(x, dy.shape, p, (yOff, arg) => {
    for (let c = 0; c < C; c++) if (arg[c] >= 0) acc[arg[c]] += DY[yOff + c];
  });
  out.data.set(acc);
}

function maxPoolGradGrad(x: Tensor, ddx: Tensor, out: Tensor, p: PoolParams): void {
  const Y = out.data;
  const DDX = ddx.data;
  const C = out.shape[out.rank - 1];
  walkArgmax(x, out.shape, p, (yOff, arg) => {
    for (let c = 0; c < C; c++) Y[yOff + c] = arg[c] < 0 ? 0 : DDX[arg[c]];
  });
}

function avgPool(x: Tensor, out: Tensor, p: PoolParams): void {
  poolForward(false, x, out, p);
}

function avgPoolGrad(dy: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(out.shape, dy.shape, p);
  const C = g.C;
  const DY = dy.data;
  const acc = new Float64Array(out.size);
  // Each window's gradient is spread over its positions; the count is known only at the window's
  // end, so first record the positions' offsets, then add dy / count to each.
  let offs = i32Of(64);
  let n = 0;
  walk(
    g,
    () => {
      n = 0;
    },
    (xOff) => {
      if (n === offs.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(offs);
        offs = bigger;
      }
      offs[n++] = xOff;
    },
    (yOff, count) => {
      if (count === 0) return;
      const inv = 1 / count;
      for (let i = 0; i < n; i++) {
        const x0 = offs[i];
        for (let c = 0; c < C; c++) acc[x0 + c] += DY[yOff + c] * inv;
      }
    },
  );
  out.data.set(acc);
}

registerKernels("cpu", { maxPool, maxPoolGrad, maxPoolGradGrad, avgPool, avgPoolGrad });
