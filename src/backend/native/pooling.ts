/**
 * Native twins of the pooling kernels (src/backend/cpu/pooling.ts): C++ loops with the same results
 * bit for bit, float32 only; other dtypes and small inputs run the TypeScript kernel.
 */
import "../cpu/pooling.js";
import type { PoolParams } from "../cpu/pooling.js";
import { type KernelTable, backendKernels, registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { type PoolGeometry, addon, isF32, thresholds } from "./addon.js";

const cpu = backendKernels("cpu") as KernelTable;

/** Geometry from the input-side and output-side shapes; null when too small or not float32. */
function geometry(x: Tensor, y: Tensor, p: PoolParams, ...tensors: Tensor[]): PoolGeometry | null {
  if (x.size < thresholds.pool || !tensors.every(isF32)) return null;
  const n = x.rank - 2;
  // The C++ argmax keeps positions within one image as int32.
  if (x.size / (x.shape[0] * x.shape[n + 1]) > 2 ** 31 - 1) return null;
  return [
    n,
    x.shape[0],
    x.shape[n + 1],
    x.shape.slice(1, n + 1),
    p.poolSize,
    y.shape.slice(1, n + 1),
    p.strides,
    p.padBefore,
  ];
}

const f = (t: Tensor) => t.data as Float32Array;

function maxPool(x: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(x, out, p, x, out);
  if (g) addon!.pool(0, f(x), f(out), ...g);
  else cpu.maxPool(x, out, p);
}

function avgPool(x: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(x, out, p, x, out);
  if (g) addon!.pool(1, f(x), f(out), ...g);
  else cpu.avgPool(x, out, p);
}

function maxPoolGrad(x: Tensor, dy: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(x, dy, p, x, dy, out);
  if (g) addon!.maxPoolGrad(f(x), f(dy), f(out), ...g);
  else cpu.maxPoolGrad(x, dy, out, p);
}

function maxPoolGradGrad(x: Tensor, ddx: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(x, out, p, x, ddx, out);
  if (g) addon!.maxPoolGradGrad(f(x), f(ddx), f(out), ...g);
  else cpu.maxPoolGradGrad(x, ddx, out, p);
}

function avgPoolGrad(dy: Tensor, out: Tensor, p: PoolParams): void {
  const g = geometry(out, dy, p, dy, out);
  if (g) addon!.avgPoolGrad(f(dy), f(out), ...g);
  else cpu.avgPoolGrad(dy, out, p);
}

if (addon) registerKernels("native", { maxPool, maxPoolGrad, maxPoolGradGrad, avgPool, avgPoolGrad });
