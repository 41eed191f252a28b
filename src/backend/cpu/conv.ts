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
     * positions outside the input counting as zero. With `bias` [O], out[..., o] += bias[o] (before
     * rounding to out's dtype).
     */
    conv(x: Tensor, w: Tensor, out: Tensor, p: ConvParams, bias?: Tensor | null): void;
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
  /** Rows of the im2col matrix per image (output positions) and its columns per group (kVol * Cg). */
  P: number;
  Kg: number;
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
  const k = to3(kSpatial, 1);
  const out = to3(yShape.slice(1, n + 1), 1);
  const g: Geometry = {
    B: xShape[0],
    C,
    O,
    G,
    Cg: C / G,
    Og: O / G,
    P: out[0] * out[1] * out[2],
    Kg: k[0] * k[1] * k[2] * (C / G),
    in: to3(xShape.slice(1, n + 1), 1),
    k,
    out,
    s: to3(p.strides, 1),
    pad: to3(p.padBefore, 0),
    d: to3(p.dilation, 1),
  };
  return g;
}

// Float64 scratch buffers reused across calls (never visible to users). Everything the inner loops
// touch is a Float64Array, so they stay monomorphic, and float32 sums accumulate in double.
const buffers = new Map<string, Float64Array>();
function scratch(name: string, n: number): Float64Array {
  let b = buffers.get(name);
  if (!b || b.length < n) {
    b = new Float64Array(Math.max(n, 1024));
    buffers.set(name, b);
  }
  return b;
}
function asF64(name: string, t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const b = scratch(name, t.size);
  b.set(t.data);
  return b;
}

/** Rows per im2col block: bounded so the block stays in cache whatever the image size. */
function blockRows(g: Geometry): number {
  return Math.max(4, Math.min(g.P, Math.floor(32768 / Math.max(g.Kg, g.Og))));
}

/**
 * im2col for image b, group grp, output rows p0..p0+rows-1: col[r*Kg + (k*Cg + c)] is the input
 * value under kernel position k, channel c of the group (0 in the padding). With `scatter` it runs
 * the other way (col2im): adds col's rows back into X, the whole input gradient in Float64.
 */
function im2col(
  X: Float64Array,
  g: Geometry,
  b: number,
  grp: number,
  p0: number,
  rows: number,
  col: Float64Array,
  scatter = false,
) {
  const [D, H, W] = g.in;
  const [KD, KH, KW] = g.k;
  const [, OH, OW] = g.out;
  const [sd, sh, sw] = g.s;
  const [pd, ph, pw] = g.pad;
  const [dd, dh, dw] = g.d;
  const { C, Cg, Kg } = g;
  const c0 = grp * Cg;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const ow = p % OW;
    const oh = ((p - ow) / OW) % OH;
    const od = (p - ow - oh * OW) / (OW * OH);
    let o = r * Kg;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * sd - pd + kd * dd;
      if (id < 0 || id >= D) {
        if (!scatter) col.fill(0, o, o + KH * KW * Cg);
        o += KH * KW * Cg;
        continue;
      }
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh - ph + kh * dh;
        if (ih < 0 || ih >= H) {
          if (!scatter) col.fill(0, o, o + KW * Cg);
          o += KW * Cg;
          continue;
        }
        const row = ((b * D + id) * H + ih) * W;
        for (let kw = 0; kw < KW; kw++, o += Cg) {
          const iw = ow * sw - pw + kw * dw;
          if (iw < 0 || iw >= W) {
            if (!scatter) col.fill(0, o, o + Cg);
            continue;
          }
          const x0 = (row + iw) * C + c0;
          if (scatter) for (let c = 0; c < Cg; c++) X[x0 + c] += col[o + c];
          else for (let c = 0; c < Cg; c++) col[o + c] = X[x0 + c];
        }
      }
    }
  }
}

// ---------------------------------------------------------------- GEMM micro-kernel (4x4 register blocks)

/**
 * C[i*ldc + j] += sum_k A(i, k) * B[bO + k*ldb + j] for i < M, j < N, where A(i, k) = A[aO + i*aI + k*aK]:
 * A's strides give both the plain product (aK = 1) and the one with A transposed (aI = 1).
 */
function gemm(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aO: number,
  aI: number,
  aK: number,
  B: Float64Array,
  bO: number,
  ldb: number,
  Cm: Float64Array,
  cO: number,
  ldc: number,
): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  const aI2 = 2 * aI;
  const aI3 = 3 * aI;
  for (let i = 0; i < M4; i += 4) {
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let a = aO + i * aI;
      let b = bO + j;
      for (let k = 0; k < K; k++, a += aK, b += ldb) {
        const y0 = B[b],
          y1 = B[b + 1],
          y2 = B[b + 2],
          y3 = B[b + 3];
        const x0 = A[a],
          x1 = A[a + aI],
          x2 = A[a + aI2],
          x3 = A[a + aI3];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      const c = cO + i * ldc + j;
      Cm[c] += c00;
      Cm[c + 1] += c01;
      Cm[c + 2] += c02;
      Cm[c + 3] += c03;
      Cm[c + ldc] += c10;
      Cm[c + ldc + 1] += c11;
      Cm[c + ldc + 2] += c12;
      Cm[c + ldc + 3] += c13;
      const c2 = c + 2 * ldc;
      Cm[c2] += c20;
      Cm[c2 + 1] += c21;
      Cm[c2 + 2] += c22;
      Cm[c2 + 3] += c23;
      Cm[c2 + ldc] += c30;
      Cm[c2 + ldc + 1] += c31;
      Cm[c2 + ldc + 2] += c32;
      Cm[c2 + ldc + 3] += c33;
    }
  }
  // Edges: plain dot products.
  for (let i = 0; i < M; i++) {
    for (let j = i < M4 ? N4 : 0; j < N; j++) {
      let s = 0;
      for (let k = 0, a = aO + i * aI, b = bO + j; k < K; k++, a += aK, b += ldb) s += A[a] * B[b];
      Cm[cO + i * ldc + j] += s;
    }
  }
}

// ---------------------------------------------------------------- depthwise (one input channel per group)

/**
 * Grouped convolution with Cg = 1 (depthwise, multiplier M = Og) as a direct loop: the GEMMs would
 * have K = kernel volume and N = M, too small to pay off, while here the inner loop runs over all
 * channels at once. mode 0: A = y (+= x . w); mode 1: A = dx (+= dy . w); mode 2: A = dw (+= x . dy).
 */
function depthwise(mode: 0 | 1 | 2, g: Geometry, X: Float64Array, Wd: Float64Array, DY: Float64Array, A: Float64Array) {
  const [D, H, W] = g.in;
  const [KD, KH, KW] = g.k;
  const [OD, OH, OW] = g.out;
  const [sd, sh, sw] = g.s;
  const [pd, ph, pw] = g.pad;
  const [dd, dh, dw] = g.d;
  const { C, O } = g;
  const M = g.Og;
  let yOff = 0;
  for (let b = 0; b < g.B; b++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, yOff += O) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const row = ((b * D + id) * H + ih) * W;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const xOff = (row + iw) * C;
                const wOff = ((kd * KH + kh) * KW + kw) * O;
                if (mode === 0) {
                  if (M === 1) for (let c = 0; c < C; c++) A[yOff + c] += X[xOff + c] * Wd[wOff + c];
                  else
                    for (let c = 0; c < C; c++) {
                      const a = X[xOff + c];
                      for (let m = c * M, e = m + M; m < e; m++) A[yOff + m] += a * Wd[wOff + m];
                    }
                } else if (mode === 1) {
                  if (M === 1) for (let c = 0; c < C; c++) A[xOff + c] += DY[yOff + c] * Wd[wOff + c];
                  else
                    for (let c = 0; c < C; c++) {
                      let t = 0;
                      for (let m = c * M, e = m + M; m < e; m++) t += DY[yOff + m] * Wd[wOff + m];
                      A[xOff + c] += t;
                    }
                } else if (M === 1) for (let c = 0; c < C; c++) A[wOff + c] += X[xOff + c] * DY[yOff + c];
                else
                  for (let c = 0; c < C; c++) {
                    const a = X[xOff + c];
                    for (let m = c * M, e = m + M; m < e; m++) A[wOff + m] += a * DY[yOff + m];
                  }
              }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- kernels

/*
 * Each kernel walks the output positions of one image in blocks of rows; per block and group it
 * builds the im2col block and runs one GEMM:
 *   forward:        y[rows, Og]  += col[rows, Kg] . w_g[Kg, Og]
 *   input grad:     dcol[rows, Kg] = dy[rows, Og] . w_g[Kg, Og]^T, then scattered back into dx
 *   filter grad:    dw_g[Kg, Og] += col[rows, Kg]^T . dy[rows, Og]
 * w_g is the column block g*Og.. of w viewed as a [Kg, O] matrix (w's layout [...k, Cg, O]).
 */

/** Y[y0 + i] = acc[i] (+ bias[i % O]) for i < n: the rounding of one block of the output. */
function store(
  Y: Tensor["data"],
  y0: number,
  acc: Float64Array,
  n: number,
  O: number,
  bias: Tensor | null | undefined,
) {
  if (!bias) {
    for (let i = 0; i < n; i++) Y[y0 + i] = acc[i];
    return;
  }
  const b = bias.data;
  for (let i = 0; i < n; i += O) for (let o = 0; o < O; o++) Y[y0 + i + o] = acc[i + o] + b[o];
}

function conv(x: Tensor, w: Tensor, out: Tensor, p: ConvParams, bias?: Tensor | null): void {
  const g = geometry(x.shape, w.shape.slice(0, -2), out.shape, p);
  const { B, O, G, Og, P, Kg } = g;
  const X = asF64("x", x);
  const Wd = asF64("w", w);
  const Y = out.data;
  if (g.Cg === 1 && G > 1) {
    const acc = scratch("acc", out.size);
    acc.fill(0, 0, out.size);
    depthwise(0, g, X, Wd, X, acc);
    store(Y, 0, acc, out.size, O, bias);
    return;
  }
  const R = blockRows(g);
  const col = scratch("col", R * Kg);
  const acc = scratch("acc", R * O);
  for (let b = 0; b < B; b++) {
    for (let p0 = 0; p0 < P; p0 += R) {
      const rows = Math.min(R, P - p0);
      acc.fill(0, 0, rows * O);
      for (let grp = 0; grp < G; grp++) {
        im2col(X, g, b, grp, p0, rows, col);
        gemm(rows, Og, Kg, col, 0, Kg, 1, Wd, grp * Og, O, acc, grp * Og, O);
      }
      store(Y, (b * P + p0) * O, acc, rows * O, O, bias);
    }
  }
}

function convBackpropInput(dy: Tensor, w: Tensor, out: Tensor, p: ConvParams): void {
  const g = geometry(out.shape, w.shape.slice(0, -2), dy.shape, p);
  const { B, O, G, Og, P, Kg } = g;
  const DY = asF64("dy", dy);
  const Wd = asF64("w", w);
  const DX = scratch("dx", out.size);
  DX.fill(0, 0, out.size);
  const R = blockRows(g);
  const col = scratch("col", R * Kg);
  if (g.Cg === 1 && G > 1) depthwise(1, g, DY, Wd, DY, DX);
  else {
    // w_g^T [Og, Kg] per group, laid out once so that the GEMM reads it along rows.
    const WT = scratch("wT", G * Og * Kg);
    for (let grp = 0; grp < G; grp++)
      for (let o = 0; o < Og; o++)
        for (let r = 0, t = (grp * Og + o) * Kg; r < Kg; r++) WT[t + r] = Wd[r * O + grp * Og + o];
    for (let b = 0; b < B; b++) {
      for (let p0 = 0; p0 < P; p0 += R) {
        const rows = Math.min(R, P - p0);
        for (let grp = 0; grp < G; grp++) {
          col.fill(0, 0, rows * Kg);
          gemm(rows, Kg, Og, DY, (b * P + p0) * O + grp * Og, O, 1, WT, grp * Og * Kg, Kg, col, 0, Kg);
          im2col(DX, g, b, grp, p0, rows, col, true);
        }
      }
    }
  }
  const o = out.data;
  for (let i = 0; i < out.size; i++) o[i] = DX[i];
}

function convBackpropFilter(x: Tensor, dy: Tensor, out: Tensor, p: ConvParams): void {
  const g = geometry(x.shape, out.shape.slice(0, -2), dy.shape, p);
  const { B, O, G, Og, P, Kg } = g;
  const X = asF64("x", x);
  const DY = asF64("dy", dy);
  const DW = scratch("dw", out.size);
  DW.fill(0, 0, out.size);
  const R = blockRows(g);
  const col = scratch("col", R * Kg);
  if (g.Cg === 1 && G > 1) depthwise(2, g, X, DY, DY, DW);
  else
    for (let b = 0; b < B; b++) {
      for (let p0 = 0; p0 < P; p0 += R) {
        const rows = Math.min(R, P - p0);
        for (let grp = 0; grp < G; grp++) {
          im2col(X, g, b, grp, p0, rows, col);
          gemm(Kg, Og, rows, col, 0, 1, Kg, DY, (b * P + p0) * O + grp * Og, O, DW, grp * Og, O);
        }
      }
    }
  const o = out.data;
  for (let i = 0; i < out.size; i++) o[i] = DW[i];
}

registerKernels("cpu", { conv, convBackpropInput, convBackpropFilter });
