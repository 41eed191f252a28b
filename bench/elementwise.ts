/**
 * Native against TypeScript element-wise and reduction kernels (float32), the measurements behind
 * the size thresholds in src/backend/native/index.ts. Not a test.
 *
 *     npx tsx bench/elementwise.ts
 *
 * Prints microseconds per call (best of interleaved rounds) and the speed-up, by size.
 */
import { cpus } from "node:os";
import { backendKernels, type KernelTable } from "../src/backend/kernels.js";
import { addon, getNumThreads } from "../src/backend/native/index.js";
import { Tensor } from "../src/backend/tensor.js";
import { random, round } from "./timing.js";

const cpu = backendKernels("cpu") as KernelTable;
const native = backendKernels("native") as KernelTable;

/** Best microseconds per call of TypeScript and native, rounds interleaved. */
function compare(ts: () => void, nat: () => void): [number, number] {
  ts();
  nat();
  let a = Infinity;
  let b = Infinity;
  for (let r = 0; r < 5; r++) {
    a = Math.min(a, round(ts, 0.04));
    b = Math.min(b, round(nat, 0.04));
  }
  return [a * 1e6, b * 1e6];
}

const cell = ([ts, nat]: [number, number]) =>
  `${ts.toFixed(1)}/${nat.toFixed(1)} ${(ts / nat).toFixed(1)}x`.padStart(22);

function main(): void {
  console.log(
    `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; native threads ${getNumThreads()}`,
  );
  if (!addon) {
    console.log("native addon not loaded: nothing to compare.");
    process.exit(1);
  }
  console.log(
    "µs per call, TypeScript/native and speed-up (below the thresholds the native kernels call TypeScript)\n",
  );
  const sizes = [64, 256, 1024, 16384, 262144, 1048576];
  console.log(`${"kernel".padEnd(26)}${sizes.map((n) => `n=${n}`.padStart(22)).join("")}`);
  const rows: [string, (n: number) => [number, number]][] = [
    ...["add", "multiply", "maximum"].map((op): [string, (n: number) => [number, number]] => [
      `binary ${op}`,
      (n) => {
        const a = random([n]);
        const b = random([n]);
        const o = Tensor.empty([n]);
        return compare(
          () => cpu.binary(op, a, b, o),
          () => native.binary(op, a, b, o),
        );
      },
    ]),
    [
      "binary add [n/64,64]+[64]",
      (n) => {
        const a = random([n / 64, 64]);
        const b = random([64]);
        const o = Tensor.empty([n / 64, 64]);
        return compare(
          () => cpu.binary("add", a, b, o),
          () => native.binary("add", a, b, o),
        );
      },
    ],
    [
      "binary greater -> bool",
      (n) => {
        const a = random([n]);
        const b = Tensor.empty([]);
        const o = Tensor.empty([n], "bool");
        return compare(
          () => cpu.binary("greater", a, b, o),
          () => native.binary("greater", a, b, o),
        );
      },
    ],
    [
      "where(c, a, 0) (relu grad)",
      (n) => {
        const c = Tensor.empty([n], "bool");
        for (let i = 0; i < n; i++) c.data[i] = Math.random() > 0.5 ? 1 : 0;
        const a = random([n]);
        const z = Tensor.empty([]);
        const o = Tensor.empty([n]);
        return compare(
          () => cpu.where(c, a, z, o),
          () => native.where(c, a, z, o),
        );
      },
    ],
    ...["relu", "exp", "tanh", "sigmoid", "log"].map((op): [string, (n: number) => [number, number]] => [
      `unary ${op}`,
      (n) => {
        const x = random([n], op === "log" ? 0.01 : -4, 4);
        const o = Tensor.empty([n]);
        return compare(
          () => cpu.unary(op, x, o),
          () => native.unary(op, x, o),
        );
      },
    ]),
    ...(["sum", "max"] as const).map((op): [string, (n: number) => [number, number]] => [
      `reduce ${op} last axis`,
      (n) => {
        const x = random([n / 64, 64]);
        const o = Tensor.empty([n / 64, 1]);
        return compare(
          () => cpu.reduce(op, x, [1], o),
          () => native.reduce(op, x, [1], o),
        );
      },
    ]),
    [
      "reduce sum axis 0",
      (n) => {
        const x = random([n / 64, 64]);
        const o = Tensor.empty([1, 64]);
        return compare(
          () => cpu.reduce("sum", x, [0], o),
          () => native.reduce("sum", x, [0], o),
        );
      },
    ],
  ];
  for (const [name, run] of rows) console.log(`${name.padEnd(26)}${sizes.map((n) => cell(run(n))).join("")}`);
}

main();
