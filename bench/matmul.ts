/**
 * Matmul throughput of keras-ts against oneDNN called directly, on the MLP's shapes
 * (784-512-512-10, batch 128): forward products and the transposed products of the backward pass.
 *
 *     npm run bench:matmul
 *
 * KERAS_TS_BENCH_SECONDS (default 0.2) sets the time per round, KERAS_TS_BENCH_ROUNDS (default 7)
 * the rounds, KERAS_TS_BENCH_TS=0 skips the (slow) TypeScript kernel.
 *
 * Columns, in GFLOP/s (best of interleaved rounds: on a shared machine the best round is the one
 * least disturbed by other processes):
 *   oneDNN     the addon's benchMatmul: one oneDNN primitive executed on its own buffers in C++.
 *   keras-ts   ops.matmul on float32 tensors (spec, output allocation, dispatch, native kernel);
 *              for the transposed shapes, which ops.matmul only produces inside gradients, the
 *              matmul kernel with its transpose flags on a freshly allocated output, as the op does.
 *   kernel     the native kernel alone, output allocated once.
 *   TS         the TypeScript kernel (one thread).
 * and the time of allocating the output tensor alone (zero-filled Float32Array), which ops.matmul
 * pays on every call.
 */
import { cpus } from "node:os";
// Narrow imports (the same modules keras.ops.matmul and keras.backend re-export) so that the
// benchmark runs while other parts of the package are being written.
import * as backend from "../src/backend/index.js";
import { Tensor } from "../src/backend/tensor.js";
import { matmul } from "../src/ops/linalg.js";
import { backendKernels, type KernelTable } from "../src/backend/kernels.js";
import { addon } from "../src/backend/native/index.js";
import { random, round } from "./timing.js";

const SECONDS = Number(process.env.KERAS_TS_BENCH_SECONDS ?? 0.2);
const ROUNDS = Number(process.env.KERAS_TS_BENCH_ROUNDS ?? 7);

interface Shape {
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

// x [128,784] -> h1 [128,512] -> h2 [128,512] -> y [128,10]; W1 [784,512], W2 [512,512], W3 [512,10].
const SHAPES: Shape[] = [
  { name: "x @ W1", M: 128, N: 512, K: 784, transA: false, transB: false },
  { name: "h1 @ W2", M: 128, N: 512, K: 512, transA: false, transB: false },
  { name: "h2 @ W3", M: 128, N: 10, K: 512, transA: false, transB: false },
  { name: "dY3 @ W3^T", M: 128, N: 512, K: 10, transA: false, transB: true },
  { name: "dY2 @ W2^T", M: 128, N: 512, K: 512, transA: false, transB: true },
  { name: "h2^T @ dY3", M: 512, N: 10, K: 128, transA: true, transB: false },
  { name: "h1^T @ dY2", M: 512, N: 512, K: 128, transA: true, transB: false },
  { name: "x^T @ dY1", M: 784, N: 512, K: 128, transA: true, transB: false },
];

/**
 * Best seconds per call of each function, their rounds interleaved so that all of them see the
 * same machine (other processes come and go on a shared machine; the best round is the quietest).
 */
function bestOf(fs: (() => number | undefined)[], rounds = ROUNDS): number[] {
  const best = fs.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fs.forEach((f, i) => {
      if (r === 0) f();
      const t = f();
      best[i] = Math.min(best[i], t ?? Infinity);
    });
  }
  return best;
}

const gflops = (s: Shape, sec: number) => (2 * s.M * s.N * s.K) / sec / 1e9;
const fmt = (x: number) => x.toFixed(1).padStart(8);
const us = (sec: number) => (sec * 1e6).toFixed(1);

function main(): void {
  const info = backend.info();
  const cpu = backendKernels("cpu") as KernelTable;
  const native = backendKernels("native") as KernelTable;
  console.log(`machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`);
  if (!addon || !info.native.loaded) {
    console.log(`native addon not loaded (${info.native.error}): nothing to compare against oneDNN.`);
    process.exit(1);
  }
  console.log(`oneDNN ${info.native.onednn} (${info.native.threadingRuntime}, ISA ${info.native.isa})`);
  console.log(`matmul kernel in use: ${info.kernels.matmul}; best of ${ROUNDS} rounds of ${SECONDS}s each`);
  const withTS = process.env.KERAS_TS_BENCH_TS !== "0";
  for (const threads of [info.native.cores ?? 1, 1]) {
    backend.setNumThreads(threads);
    console.log(`\nthreads: ${backend.getNumThreads()}  (GFLOP/s)`);
    console.log(
      `${"product".padEnd(12)}${"M x N x K".padEnd(16)}${"oneDNN".padStart(8)}${"keras-ts".padStart(9)}${"kernel".padStart(8)}${"TS".padStart(8)}   keras-ts/oneDNN  kernel/oneDNN  (µs: oneDNN, keras-ts, output alloc)`,
    );
    const ratios: number[] = [];
    for (const s of SHAPES) {
      const a = random(s.transA ? [1, s.K, s.M] : [1, s.M, s.K], -0.5, 0.5);
      const b = random(s.transB ? [1, s.N, s.K] : [1, s.K, s.N], -0.5, 0.5);
      const a2 = new Tensor(a.data, [s.M, s.K]);
      const b2 = new Tensor(b.data, [s.K, s.N]);
      const out = Tensor.empty([1, s.M, s.N]);
      const viaOpsCall =
        s.transA || s.transB
          ? () => native.matmul(a, b, Tensor.empty([1, s.M, s.N]), s.transA, s.transB)
          : () => matmul(a2, b2);
      const [directBest, viaOps, kernel, alloc] = bestOf([
        () => addon!.benchMatmul(1, s.M, s.N, s.K, s.transA, s.transB, SECONDS),
        () => round(viaOpsCall, SECONDS),
        () => round(() => native.matmul(a, b, out, s.transA, s.transB), SECONDS),
        () => round(() => Tensor.empty([1, s.M, s.N]), SECONDS / 4),
      ]);
      const ts = withTS && threads !== 1 ? round(() => cpu.matmul(a, b, out, s.transA, s.transB), 0.3) : NaN;
      const ratio = directBest / viaOps;
      ratios.push(ratio);
      console.log(
        `${s.name.padEnd(12)}${`${s.M}x${s.N}x${s.K}`.padEnd(16)}${fmt(gflops(s, directBest))}${fmt(gflops(s, viaOps)).padStart(9)}${fmt(gflops(s, kernel))}${fmt(gflops(s, ts))}   ${`${(100 * ratio).toFixed(0)}%`.padStart(15)}  ${`${((100 * directBest) / kernel).toFixed(0)}%`.padStart(13)}  (${us(directBest)}, ${us(viaOps)}, ${us(alloc)})`,
      );
    }
    const total = SHAPES.reduce((acc, s) => acc + 2 * s.M * s.N * s.K, 0);
    console.log(
      `lowest keras-ts/oneDNN ratio: ${(100 * Math.min(...ratios)).toFixed(0)}%  (${total / 1e6} MFLOP per step)`,
    );
  }
  backend.setNumThreads(0);
}

main();
