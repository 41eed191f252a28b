import { stridesOf } from "../shape.js";

/**
 * For an input of `inShape` broadcast to `outShape`, the strides to step through it along each
 * output axis (0 on broadcast axes).
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const own = stridesOf(inShape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    out[axis] = inShape[i] === 1 && outShape[axis] !== 1 ? 0 : own[i];
  }
  return out;
}

/**
 * Calls `body(outStart, offsets, innerStrides)` once per row of the output's last axis, with the
 * offset of that row's first element in each input. Lets element-wise kernels keep a tight inner loop.
 */
export function forEachRow(
  outShape: readonly number[],
  inShapes: readonly (readonly number[])[],
  body: (outStart: number, offsets: number[], inner: number[], n: number) => void,
): void {
  const rank = outShape.length;
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  if (rank === 0) {
    body(
      0,
      inShapes.map(() => 0),
      inShapes.map(() => 0),
      1,
    );
    return;
  }
  const n = outShape[rank - 1];
  const inner = strides.map((s) => s[rank - 1]);
  let rows = 1;
  for (let i = 0; i < rank - 1; i++) rows *= outShape[i];
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  const offsets = new Array<number>(inShapes.length).fill(0);
  for (let r = 0; r < rows; r++) {
    body(r * n, offsets, inner, n);
    for (let ax = rank - 2; ax >= 0; ax--) {
      counter[ax]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][ax];
      if (counter[ax] < outShape[ax]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][ax] * outShape[ax];
      counter[ax] = 0;
    }
  }
}
