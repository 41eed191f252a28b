/**
 * BatchNormalization and LayerNormalization layers, forward and forward + backward, on the fused
 * normalization ops (src/ops/nn/fused_normalization.ts) against the composed ops they replaced
 * (normalizationPath.fused = false), float32, in one process with interleaved rounds. Not a test.
 *
 *     npx tsx bench/normalization.ts
 *
 * Prints ms per call (best of the rounds) for each path and the ratio composed / fused.
 * KERAS_TS_KERNELS=typescript runs both paths on the TypeScript kernels.
 */
import { cpus, loadavg } from "node:os";
import { GradientTape } from "../src/autodiff/tape.js";
import { backendInfo } from "../src/backend/kernels.js";
import { getNumThreads } from "../src/backend/native/index.js";
import type { Tensor } from "../src/backend/tensor.js";
import "../src/index.js";
import type { Layer } from "../src/layers/layer.js";
import { BatchNormalization } from "../src/layers/normalization/batch_normalization.js";
import { LayerNormalization } from "../src/layers/normalization/layer_normalization.js";
import { normalizationPath } from "../src/layers/normalization/path.js";
import { random, round } from "./timing.js";

const ROUNDS = Number(process.env.KERAS_TS_BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.KERAS_TS_BENCH_SECONDS ?? 0.3);

/** Best ms per call of each function over interleaved rounds. */
function best(fs: (() => void)[]): number[] {
  const out = fs.map(() => Infinity);
  for (const f of fs) f();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, f] of fs.entries()) out[i] = Math.min(out[i], round(f, SECONDS, 2));
  }
  return out.map((s) => s * 1e3);
}

/** A call of the layer with the path chosen; with backward, the gradients of x and the trainable weights for a given dy. */
function step(layer: Layer, x: Tensor, dy: Tensor, training: boolean, backward: boolean, fused: boolean) {
  return () => {
    normalizationPath.fused = fused;
    if (!backward) {
      layer(x, { training });
      return;
    }
    const tape = new GradientTape();
    tape.watch(x);
    const y = tape.record(() => layer(x, { training }) as Tensor);
    tape.gradient(y, [x, ...layer.trainableWeights], { outputGradient: dy });
  };
}

interface Case {
  name: string;
  make: () => Layer;
  shape: number[];
  training: boolean;
}

const cases: Case[] = [
  {
    name: "BatchNormalization [64, 26, 26, 32] training",
    make: () => new BatchNormalization(),
    shape: [64, 26, 26, 32],
    training: true,
  },
  {
    name: "BatchNormalization [64, 26, 26, 32] inference",
    make: () => new BatchNormalization(),
    shape: [64, 26, 26, 32],
    training: false,
  },
  {
    name: "BatchNormalization axis 1 [64, 32, 26, 26] training",
    make: () => new BatchNormalization({ axis: 1 }),
    shape: [64, 32, 26, 26],
    training: true,
  },
  { name: "LayerNormalization [128, 512]", make: () => new LayerNormalization(), shape: [128, 512], training: true },
];

const info = backendInfo();
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
console.log(
  `${new Date().toISOString()} ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, load ${load}, ` +
    `kernels: ${info.forcedTypeScript || !info.native.loaded ? "TypeScript" : `native (${getNumThreads()} threads)`}, Node ${process.version}`,
);
console.log(`${"case".padEnd(64)}${"composed".padStart(12)}${"fused".padStart(12)}${"speed-up".padStart(10)}`);
for (const c of cases) {
  const layer = c.make();
  const x = random(c.shape);
  const dy = random(c.shape, -1, 1);
  layer(x);
  for (const backward of [false, true]) {
    const [composed, fused] = best([
      step(layer, x, dy, c.training, backward, false),
      step(layer, x, dy, c.training, backward, true),
    ]);
    const name = `${c.name}, ${backward ? "forward + backward" : "forward"}`;
    console.log(
      `${name.padEnd(64)}${`${composed.toFixed(2)} ms`.padStart(12)}${`${fused.toFixed(2)} ms`.padStart(12)}${`${(composed / fused).toFixed(2)}x`.padStart(10)}`,
    );
  }
}
normalizationPath.fused = true;
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
