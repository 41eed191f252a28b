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
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    dims: number[],
    stridesA: number[],
    stridesB: number[],
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, R: number, inner: number): void;
}

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
  try {
    const require = createRequire(import.meta.url);
    return { addon: require(path) as NativeAddon, path, error: null };
  } catch (e) {
    return { addon: null, path, error: String((e as Error)?.message ?? e).split("\n")[0] };
  }
}
