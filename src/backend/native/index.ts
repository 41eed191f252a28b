/**
 * The native backend: loads the C++ addon (native/, built by `npm install`) and registers its
 * kernels under the same names and signatures as the TypeScript ones. Each native kernel takes
 * the cases it is faster for (float32, above a size where the call overhead pays off) and hands
 * every other case to its TypeScript twin. Without the addon nothing is registered and the
 * TypeScript kernels run; KERAS_TS_KERNELS=typescript forces them (src/backend/kernels.ts).
 */
import "../cpu/elementwise.js";
import "../cpu/linalg.js";
import "../cpu/reduction.js";
import type { ReduceOp } from "../cpu/reduction.js";
import { type KernelTable, backendKernels, registerKernels, setNativeInfo } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { addon, isF32, loaded } from "./addon.js";
import "./activations.js";
import "./conv.js";
import "./normalization.js";
import "./optimizers.js";
import "./pooling.js";

/** The addon, or null when it is absent or failed to load. */
export { addon };

let threads = addon ? addon.info().threads : 1;

// The addon's own parallel loops (element-wise, optimizer updates) run on oneDNN's OpenMP team
// when oneDNN has one: a single set of workers, still awake from the last product. With a second
// pool the two sets woke each other in turn; an MLP training step took 2.4 ms instead of 2.15 ms
// (median of 600 steps, 2-core Xeon). The addon's pool stays for builds without OpenMP.
if (addon && addon.info().threadingRuntime === "openmp") addon.setPoolRuntime("openmp");

/**
 * Number of threads the native kernels use (oneDNN and the addon's own loops); `n <= 0` means
 * every core, the default. Without the addon the TypeScript kernels run on one thread anyway.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n)) throw new TypeError(`setNumThreads: expected an integer, received ${n}.`);
  threads = addon ? addon.setNumThreads(n) : 1;
}

export function getNumThreads(): number {
  return threads;
}

setNativeInfo(() =>
  addon
    ? { loaded: true, path: loaded.path ?? undefined, ...addon.info() }
    : { loaded: false, error: loaded.error ?? "unknown" },
);

// Smallest work for which each native kernel beats its TypeScript twin (measured on a 2-core
// AVX-512 machine by bench/elementwise.ts and bench/matmul.ts; see bench/RESULTS.md): below these
// the N-API call costs more than it saves.
const MATMUL_MIN_FLOPS = 4096;
const BINARY_MIN = 512;
const UNARY_MIN = 256;
const REDUCE_MIN = 2048;

const cpu = backendKernels("cpu") as KernelTable;

function matmul(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, bias?: Tensor | null): void {
  const [batch, M, N] = out.shape;
  const K = transA ? a.shape[1] : a.shape[2];
  if (!isF32(a) || !isF32(b) || !isF32(out) || (bias && !isF32(bias)) || M * N * K < MATMUL_MIN_FLOPS) {
    cpu.matmul(a, b, out, transA, transB, bias);
    return;
  }
  addon!.matmul(
    a.data as Float32Array,
    b.data as Float32Array,
    out.data as Float32Array,
    a.shape[0],
    b.shape[0],
    batch,
    M,
    N,
    K,
    transA,
    transB,
    bias ? (bias.data as Float32Array) : undefined,
  );
}

const BINARY_OPS: Record<string, number> = {
  add: 0,
  subtract: 1,
  multiply: 2,
  divide: 3,
  maximum: 4,
  minimum: 5,
  // Comparisons: float32 inputs, bool output.
  equal: 6,
  notEqual: 7,
  less: 8,
  lessEqual: 9,
  greater: 10,
  greaterEqual: 11,
};
const FIRST_COMPARISON = 6;

const isBool = (t: Tensor): boolean => t.dtype === "bool" && t.data instanceof Uint8Array;

/**
 * Dims of out and element strides of each input (0 along broadcast axes), with size-1 axes dropped
 * and neighbouring axes merged wherever every input stays contiguous across them.
 */
export function collapseStrides(
  outShape: readonly number[],
  shapes: readonly (readonly number[])[],
): { dims: number[]; strides: number[][] } {
  const r = outShape.length;
  const full = shapes.map((shape) => {
    const s = new Array<number>(r).fill(0);
    let acc = 1;
    for (let i = shape.length - 1, j = r - 1; i >= 0; i--, j--) {
      s[j] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i];
    }
    return s;
  });
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let i = 0; i < r; i++) {
    const d = outShape[i];
    if (d === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && full.every((f, t) => strides[t][k] === f[i] * d)) {
      dims[k] *= d;
      full.forEach((f, t) => {
        strides[t][k] = f[i];
      });
    } else {
      dims.push(d);
      for (let t = 0; t < full.length; t++) strides[t].push(full[t][i]);
    }
  }
  if (dims.length === 0) return { dims: [1], strides: shapes.map(() => [0]) };
  return { dims, strides };
}

/** collapseStrides for two inputs. */
export function collapseBroadcast(
  outShape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
): { dims: number[]; sa: number[]; sb: number[] } {
  const { dims, strides } = collapseStrides(outShape, [aShape, bShape]);
  return { dims, sa: strides[0], sb: strides[1] };
}

function binary(op: string, a: Tensor, b: Tensor, out: Tensor): void {
  const code = BINARY_OPS[op];
  if (
    code === undefined ||
    out.size < BINARY_MIN ||
    !isF32(a) ||
    !isF32(b) ||
    !(code >= FIRST_COMPARISON ? isBool(out) : isF32(out))
  ) {
    cpu.binary(op, a, b, out);
    return;
  }
  const { dims, sa, sb } = collapseBroadcast(out.shape, a.shape, b.shape);
  if (dims.length > 8) {
    cpu.binary(op, a, b, out);
    return;
  }
  addon!.binary(
    code,
    a.data as Float32Array,
    b.data as Float32Array,
    out.data as Float32Array | Uint8Array,
    dims,
    sa,
    sb,
  );
}

function where(cond: Tensor, a: Tensor, b: Tensor, out: Tensor): void {
  if (out.size < BINARY_MIN || !isBool(cond) || !isF32(a) || !isF32(b) || !isF32(out)) {
    cpu.where(cond, a, b, out);
    return;
  }
  const { dims, strides } = collapseStrides(out.shape, [cond.shape, a.shape, b.shape]);
  if (dims.length > 8) {
    cpu.where(cond, a, b, out);
    return;
  }
  addon!.where(
    cond.data as Uint8Array,
    a.data as Float32Array,
    b.data as Float32Array,
    out.data as Float32Array,
    dims,
    strides[0],
    strides[1],
    strides[2],
  );
}

const UNARY_OPS: Record<string, number> = {
  negative: 0,
  square: 1,
  sqrt: 2,
  abs: 3,
  relu: 4,
  reciprocal: 5,
  exp: 6,
  log: 7,
  tanh: 8,
  sigmoid: 9,
};

function unary(op: string, x: Tensor, out: Tensor): void {
  const code = UNARY_OPS[op];
  if (code === undefined || out.size < UNARY_MIN || !isF32(x) || !isF32(out)) {
    cpu.unary(op, x, out);
    return;
  }
  addon!.unary(code, x.data as Float32Array, out.data as Float32Array);
}

const REDUCE_OPS: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1 };

function reduce(op: ReduceOp, x: Tensor, axes: readonly number[], out: Tensor): void {
  const code = REDUCE_OPS[op];
  // Native when the reduced axes form one block: x viewed as [outer, R, inner].
  const sorted = [...axes].sort((p, q) => p - q);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (
    code === undefined ||
    sorted.length === 0 ||
    last - first !== sorted.length - 1 ||
    x.size < REDUCE_MIN ||
    !isF32(x) ||
    !isF32(out)
  ) {
    cpu.reduce(op, x, axes, out);
    return;
  }
  let outer = 1;
  let R = 1;
  let inner = 1;
  for (let i = 0; i < x.rank; i++) {
    if (i < first) outer *= x.shape[i];
    else if (i <= last) R *= x.shape[i];
    else inner *= x.shape[i];
  }
  if (R === 0) {
    cpu.reduce(op, x, axes, out);
    return;
  }
  addon!.reduce(code, x.data as Float32Array, out.data as Float32Array, outer, R, inner);
}

if (addon) registerKernels("native", { matmul, binary, where, unary, reduce });
