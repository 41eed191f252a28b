/**
 * Native twins of the convolution kernels (src/backend/cpu/conv.ts) on oneDNN: float32 only; other
 * dtypes, convolutions too small to pay for the call, and parameters oneDNN refuses (a padding it
 * cannot express) run the TypeScript kernel.
 */
import "../cpu/conv.js";
import type { ConvParams } from "../cpu/conv.js";
import { type KernelTable, backendKernels, registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { addon, isF32, thresholds } from "./addon.js";

const cpu = backendKernels("cpu") as KernelTable;

const FORWARD = 0;
const BACKWARD_DATA = 1;
const BACKWARD_WEIGHTS = 2;

/** Runs the native convolution of `kind` on x-like, w-like and y-like shapes; false when not taken. */
function run(
  kind: number,
  a: Tensor,
  b: Tensor,
  out: Tensor,
  x: Tensor,
  w: Tensor,
  y: Tensor,
  p: ConvParams,
  bias?: Tensor | null,
): boolean {
  if (!isF32(a) || !isF32(b) || !isF32(out) || (bias && !isF32(bias))) return false;
  const n = x.rank - 2;
  const C = x.shape[n + 1];
  const O = y.shape[n + 1];
  let macs = x.shape[0] * (C / p.groups) * O;
  for (let i = 0; i < n; i++) macs *= y.shape[i + 1] * w.shape[i];
  if (!(macs >= thresholds.convMacs)) return false;
  return addon!.conv(
    kind,
    a.data as Float32Array,
    b.data as Float32Array,
    out.data as Float32Array,
    n,
    x.shape[0],
    C,
    O,
    p.groups,
    x.shape.slice(1, n + 1),
    w.shape.slice(0, n),
    y.shape.slice(1, n + 1),
    p.strides,
    p.padBefore,
    p.dilation,
    bias ? (bias.data as Float32Array) : undefined,
  );
}

function conv(x: Tensor, w: Tensor, out: Tensor, p: ConvParams, bias?: Tensor | null): void {
  if (!run(FORWARD, x, w, out, x, w, out, p, bias)) cpu.conv(x, w, out, p, bias);
}

function convBackpropInput(dy: Tensor, w: Tensor, out: Tensor, p: ConvParams): void {
  if (!run(BACKWARD_DATA, dy, w, out, out, w, dy, p)) cpu.convBackpropInput(dy, w, out, p);
}

function convBackpropFilter(x: Tensor, dy: Tensor, out: Tensor, p: ConvParams): void {
  if (!run(BACKWARD_WEIGHTS, x, dy, out, x, out, dy, p)) cpu.convBackpropFilter(x, dy, out, p);
}

if (addon) registerKernels("native", { conv, convBackpropInput, convBackpropFilter });
