import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The C++ addon's exports (native/src/*.cc). Buffers are the tensors' own Float32Arrays. */
export interface NativeAddon {
  info(): {
    onednn: string;
    threadingRuntime: string;
    isa: string;
    threads: number;
    cores: number;
    mallocTuned: boolean;
  };
  setNumThreads(n: number): number;
  /** Runs the addon's own parallel loops on OpenMP's team ("openmp") or its pool's workers ("pool", the default). */
  setPoolRuntime(runtime: "openmp" | "pool"): "openmp" | "pool";
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    batch: number,
    M: number,
    N: number,
    K: number,
    transA: boolean,
    transB: boolean,
    bias?: Float32Array,
  ): void;
  benchMatmul(
    batch: number,
    M: number,
    N: number,
    K: number,
    transA: boolean,
    transB: boolean,
    seconds: number,
  ): number;
  /** out: Float32Array, or Uint8Array (bool) for the comparisons (codes 6-11). */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array | Uint8Array,
    dims: number[],
    stridesA: number[],
    stridesB: number[],
  ): void;
  where(
    cond: Uint8Array,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    dims: number[],
    stridesCond: number[],
    stridesA: number[],
    stridesB: number[],
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, R: number, inner: number): void;
  /**
   * Convolution (kind 0 forward: a = x, b = w, out = y; 1 backward-data: a = dy, b = w, out = dx;
   * 2 backward-weights: a = x, b = dy, out = dw), the forward one with an optional bias [O] added
   * by the primitive. False, with nothing written, when oneDNN refuses the parameters.
   */
  conv(
    kind: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    n: number,
    B: number,
    C: number,
    O: number,
    groups: number,
    inSpatial: readonly number[],
    kSpatial: readonly number[],
    outSpatial: readonly number[],
    strides: readonly number[],
    padBefore: readonly number[],
    dilation: readonly number[],
    bias?: Float32Array,
  ): boolean;
  /** Pooling forward (kind 0 max, 1 average); geometry: n spatial axes, then per-axis arrays. */
  pool(kind: number, x: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  maxPoolGradGrad(x: Float32Array, ddx: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  avgPoolGrad(dy: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  /** activation(op code, x, out, alpha): codes in src/backend/native/activations.ts. */
  activation(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** Softmax (or logSoftmax) of x viewed as [outer, n, inner] along n. */
  softmax(x: Float32Array, out: Float32Array, outer: number, n: number, inner: number, logarithm: boolean): void;
  /**
   * Fused optimizer updates: the TypeScript kernels' arguments (src/backend/cpu/optimizers.ts) with
   * each tensor replaced by its Float32Array (null for an absent optional slot).
   */
  sgdUpdate: OptimizerUpdate;
  sgdMomentumUpdate: OptimizerUpdate;
  rmspropUpdate: OptimizerUpdate;
  adamUpdate: OptimizerUpdate;
  adagradUpdate: OptimizerUpdate;
  adadeltaUpdate: OptimizerUpdate;
  adamaxUpdate: OptimizerUpdate;
  nadamUpdate: OptimizerUpdate;
  lionUpdate: OptimizerUpdate;
  emaUpdate: OptimizerUpdate;
  /** Fused normalization (src/backend/cpu/normalization.ts): x viewed as [P, C, Q]; null for an absent tensor. */
  normalize(
    perChannel: boolean,
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    P: number,
    C: number,
    Q: number,
    epsilon: number,
  ): void;
  normalizeGrad(
    perChannel: boolean,
    x: Float32Array,
    gamma: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    dy: Float32Array,
    dmean: Float32Array | null,
    dvariance: Float32Array | null,
    dx: Float32Array | null,
    dgamma: Float32Array | null,
    dbeta: Float32Array | null,
    P: number,
    C: number,
    Q: number,
    epsilon: number,
  ): void;
  channelAffine(
    x: Float32Array,
    scale: Float32Array,
    shift: Float32Array | null,
    out: Float32Array,
    P: number,
    C: number,
    Q: number,
  ): void;
  /** Activation layout of the convolutions: 0 auto, 1 channels-last, 2 oneDNN's blocked choice. */
  setConvLayout(mode: number): number;
  /** The oneDNN implementation a convolution would run (benchmarks and diagnostics). */
  convImpl(
    kind: number,
    n: number,
    B: number,
    C: number,
    O: number,
    groups: number,
    inSpatial: readonly number[],
    kSpatial: readonly number[],
    outSpatial: readonly number[],
    strides: readonly number[],
    padBefore: readonly number[],
    dilation: readonly number[],
  ): string;
}

/** n, B, C, inSpatial, poolSize, outSpatial, strides, padBefore. */
export type PoolGeometry = [
  n: number,
  B: number,
  C: number,
  inSpatial: readonly number[],
  poolSize: readonly number[],
  outSpatial: readonly number[],
  strides: readonly number[],
  padBefore: readonly number[],
];

export type OptimizerUpdate = (...args: (Float32Array | null | number | boolean)[]) => void;

/** The addon of this process, loaded once (null when absent or broken; `loaded.error` says why). */
export const loaded: LoadResult = loadAddon();
export const addon: NativeAddon | null = loaded.addon;

/**
 * Sizes below which each native kernel hands the call to its TypeScript twin (measured by
 * bench/kernels.ts; see bench/RESULTS.md). Mutable for that benchmark only (--no-thresholds).
 */
export const thresholds = {
  /** Multiply-adds of a convolution (at 1.2k the two are even; from 20k native is 5x faster). */
  convMacs: 2048,
  /** Elements of the pooling input (128: TypeScript 1.4x faster on forward; 1024: native 1.6-4x). */
  pool: 1024,
  /** Element-wise activations that cost one compare (relu, relu6, leakyRelu): even at ~300 elements. */
  activationCheap: 512,
  /** Activations calling exp/log/tanh/erf: native 1.2-1.6x from 256 elements, even at 64. */
  activation: 128,
  /** Elements of a softmax input (64: even; 256: native 1.5x). */
  softmax: 128,
  /**
   * Elements of the parameter of an optimizer update: native at every size since Adam's TypeScript
   * twin flushes subnormals per element (Adam over 512 elements: 30 µs in TypeScript, 1.6 µs native;
   * over 10: 1.6 and 1.4 µs).
   */
  update: 1,
  /** Elements of a normalization input (256: even to 2x either way by layout; 512: native 1.2-3.5x, 1024: 1.3-5x). */
  normalize: 512,
};

/** Whether a tensor holds float32 data, the only dtype the native kernels take. */
export const isF32 = (t: { dtype: string; data: unknown }): boolean =>
  t.dtype === "float32" && t.data instanceof Float32Array;

export interface LoadResult {
  addon: NativeAddon | null;
  path: string | null;
  error: string | null;
}

/**
 * Loads build/Release/keras_ts_native.node from the package root (three levels above this file,
 * both as src/backend/native/*.ts and as dist/backend/native/*.js). Never throws: an absent or
 * broken addon is reported and the TypeScript kernels stay in use.
 */
export function loadAddon(): LoadResult {
  const here = dirname(fileURLToPath(import.meta.url));
  const path = join(here, "..", "..", "..", "build", "Release", "keras_ts_native.node");
  if (!existsSync(path)) return { addon: null, path: null, error: `not built (${path} is absent)` };
  // How long OpenMP workers spin for the next kernel before they sleep. Sleeping at once costs a
  // wake-up per kernel (a 50 µs filter gradient took 130); spinning takes a core from other
  // processes on a loaded machine (libgomp's default 300k spins: oneDNN on 2 threads ran 2-30x
  // slower than on 1 at load 6-8, bench/RESULTS.md). 1M spins (~11 ms of one core after the last
  // kernel, measured) lets a training step's workers ride over its longest gaps (a garbage
  // collection, the fit loop): with 10k (~0.1 ms), a process that had been idle for 200 ms between
  // fits trained the MLP at 2.7-6.5 ms per step for the whole next fit instead of 2.3 (on a KVM
  // guest each sleep and wake of a worker's vCPU goes through the host). libgomp reads it when the
  // addon loads; a user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins (the tests set 10k).
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) {
    process.env.GOMP_SPINCOUNT = "1000000";
  }
  try {
    const require = createRequire(import.meta.url);
    return { addon: require(path) as NativeAddon, path, error: null };
  } catch (e) {
    return { addon: null, path, error: String((e as Error)?.message ?? e).split("\n")[0] };
  }
}
