import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/**
 * Explicit parameters of an N-d convolution (N = 1, 2 or 3), one entry per spatial axis.
 * `padBefore` is what the kernels index by; `padAfter` is implied by the shapes and is passed for
 * backends that want it (oneDNN's padding_r). It may be negative when the input extends past the
 * last window (valid padding with strides, or the input gradient of a transposed convolution).
 * `groups` divides input and output channels into independent convolutions.
 */
export interface ConvParams {
  strides: number[];
  padBefore: number[];
  padAfter: number[];
  dilation: number[];
  groups: number;
}

declare module "../kernels.js" {
  interface KernelTable {
    /**
     * Channels-last N-d convolution (cross-correlation, as every framework computes it):
     * x [B, ...inSpatial, C], w [...kSpatial, C / groups, O], out [B, ...outSpatial, O] (O a multiple
     * of groups; group g reads input channels g*C/groups.. and writes output channels g*O/groups..).
     * out[b, o, g*Og + j] = sum_{k, c} x[b, o*stride - padBefore + k*dilation, g*Cg + c] w[k, c, g*Og + j],
     * positions outside the input counting as zero.
     */
    conv(x: Tensor, w: Tensor, out: Tensor, p: ConvParams): void;
    /** Gradient of `conv` with respect to x: dy [B, ...outSpatial, O], w as in conv, out = dx [B, ...inSpatial, C]. */
    convBackpropInput(dy: Tensor, w: Tensor, out: Tensor, p: ConvParams): void;
    /** Gradient of `conv` with respect to w: x and dy as above, out = dw [...kSpatial, C / groups, O]. */
    convBackpropFilter(x: Tensor, dy: Tensor, out: Tensor, p: ConvParams): void;
  }
}

/** Sizes of one convolution with the spatial axes left-padded to three (1-d: [1, 1, W]). */
interface Geometry {
  B: number;
  C: number;
  O: number;
  G: number;
  Cg: number;
  Og: number;
  in: number[];
  k: number[];
  out: number[];
  s: number[];
  pad: number[];
  d: number[];
}

function to3(v: readonly number[], fill: number): number[] {
  const r = v.slice();
  while (r.length < 3) r.unshift(fill);
  return r;
}

function geometry(xShape: readonly number[], kSpatial: readonly number[], yShape: readonly number[], p: ConvParams) {
  const n = xShape.length - 2;
  const C = xShape[n + 1];
  const O = yShape[n + 1];
  const G = p.groups;
  const g: Geometry = {
    B: xShape[0],
    C,
    O,
    G,
    Cg: C / G,
    Og: O / G,
    in: to3(xShape.slice(1, n + 1), 1),
    k: to3(kSpatial, 1),
    out: to3(yShape.slice(1, n + 1), 1),
    s: to3(p.strides, 1),
    pad: to3(p.padBefore, 0),
    d: to3(p.dilation, 1),
  };
  return g;
}

/**
 * Visits every (batch, output position, kernel position) whose input position lies inside the
 * input: `body(yOff, xOff, k)` with yOff/xOff the offsets of the channel rows of y and x and k the
 * flat kernel position. All three kernels are this walk with a different inner loop, so padding and
 * dilation are handled once, per kernel position rather than per element.
 */
function walk(g: Geometry, body: (yOff: number, xOff: number, k: number) => void): void {
  const [D, H, W] = g.in;
  const [KD, KH, KW] = g.k;
  const [OD, OH, OW] = g.out;
  const [sd, sh, sw] = g.s;
  const [pd, ph, pw] = g.pad;
  const [dd, dh, dw] = g.d;
  const { C, O } = g;
  let yOff = 0;
  for (let b = 0; b < g.B; b++) {
    const xb = b * D;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, yOff += O) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const rowBase = ((xb + id) * H + ih) * W;
              const kBase = (kd * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= W) continue;
                body(yOff, (rowBase + iw) * C, kBase + kw);
              }
            }
          }
        }
      }
    }
  }
}

// Float64 scratch reused across calls (accumulating float32 sums in double, as the reductions do).
let scratch = new Float64Array(1024);
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

function conv(x: Tensor, w: Tensor, out: Tensor, p: ConvParams): void {
  const g = geometry(x.shape, w.shape.slice(0, -2), out.shape, p);
  const { O, G, Cg, Og } = g;
  const X = x.data;
  const Wt = w.data;
  const Y = out.data;
  // One output row (all O channels) accumulates in `acc`; flushed when the walk moves to the next row.
  const acc = scratchOf(O);
  let cur = -1;
  const flush = () => {
    for (let j = 0; j < O; j++) {
      Y[cur + j] = acc[j];
      acc[j] = 0;
    }
  };
  acc.fill(0, 0, O);
  walk(g, (yOff, xOff, k) => {
    if (yOff !== cur) {
      if (cur >= 0) flush();
      cur = yOff;
    }
    // acc[g*Og + j] += x[c] * w[k, c, g*Og + j]: an i-k-j GEMM row, inner loop contiguous in w.
    for (let grp = 0; grp < G; grp++) {
      const a0 = grp * Og;
      const x0 = xOff + grp * Cg;
      let w0 = k * Cg * O + a0;
      for (let c = 0; c < Cg; c++, w0 += O) {
        const a = X[x0 + c];
        for (let j = 0; j < Og; j++) acc[a0 + j] += a * Wt[w0 + j];
      }
    }
  });
  if (cur >= 0) flush();
}

function convBackpropInput(dy: Tensor, w: Tensor, out: Tensor, p: ConvParams): void {
  const g = geometry(out.shape, w.shape.slice(0, -2), dy.shape, p);
  const { O, G, Cg, Og } = g;
  const DY = dy.data;
  const Wt = w.data;
  const acc = scratchOf(out.size);
  acc.fill(0, 0, out.size);
  walk(g, (yOff, xOff, k) => {
    // dx[c] += sum_j dy[g*Og + j] * w[k, c, g*Og + j]: contiguous dot products.
    for (let grp = 0; grp < G; grp++) {
      const y0 = yOff + grp * Og;
      const x0 = xOff + grp * Cg;
      let w0 = k * Cg * O + grp * Og;
      for (let c = 0; c < Cg; c++, w0 += O) {
        let s = 0;
        for (let j = 0; j < Og; j++) s += DY[y0 + j] * Wt[w0 + j];
        acc[x0 + c] += s;
      }
    }
  });
  const DX = out.data;
  for (let i = 0; i < out.size; i++) DX[i] = acc[i];
}

function convBackpropFilter(x: Tensor, dy: Tensor, out: Tensor, p: ConvParams): void {
  const g = geometry(x.shape, out.shape.slice(0, -2), dy.shape, p);
  const { O, G, Cg, Og } = g;
  const X = x.data;
  const DY = dy.data;
  const acc = scratchOf(out.size);
  acc.fill(0, 0, out.size);
  walk(g, (yOff, xOff, k) => {
    // dw[k, c, g*Og + j] += x[c] * dy[g*Og + j]: rank-1 update, inner loop contiguous in dw and dy.
    for (let grp = 0; grp < G; grp++) {
      const y0 = yOff + grp * Og;
      const x0 = xOff + grp * Cg;
      let w0 = k * Cg * O + grp * Og;
      for (let c = 0; c < Cg; c++, w0 += O) {
        const a = X[x0 + c];
        for (let j = 0; j < Og; j++) acc[w0 + j] += a * DY[y0 + j];
      }
    }
  });
  const DW = out.data;
  for (let i = 0; i < out.size; i++) DW[i] = acc[i];
}

registerKernels("cpu", { conv, convBackpropInput, convBackpropFilter });
