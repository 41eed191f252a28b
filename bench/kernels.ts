/**
 * Native against TypeScript kernels for convolution, pooling, activations, softmax and the fused
 * optimizer updates (float32): the measurements behind the thresholds in src/backend/native/*.ts.
 * Not a test.
 *
 *     npx tsx bench/kernels.ts [--no-thresholds] [family ...]   # conv pool act softmax opt (default: all)
 *
 * Prints µs per call (best of interleaved rounds) for TypeScript and native on every core, then
 * native on one thread, and the speed-ups. --no-thresholds runs the native kernels at every size
 * (else below the thresholds they call TypeScript). The family `layout` (not run by default)
 * compares the native convolutions on channels-last activations against oneDNN's blocked layouts
 * with reorders (KERAS_TS_CONV_LAYOUT=nxc|any forces one layout everywhere).
 */
import { cpus, loadavg } from "node:os";
import type { ConvParams } from "../src/backend/cpu/conv.js";
import type { PoolParams } from "../src/backend/cpu/pooling.js";
import { type KernelTable, backendKernels } from "../src/backend/kernels.js";
import { thresholds } from "../src/backend/native/addon.js";
import { addon, getNumThreads, setNumThreads } from "../src/backend/native/index.js";
import { Tensor } from "../src/backend/tensor.js";
import { random, round } from "./timing.js";

const cpu = backendKernels("cpu") as KernelTable;
const native = backendKernels("native") as KernelTable;
const ROUNDS = Number(process.env.KERAS_TS_BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.KERAS_TS_BENCH_SECONDS ?? 0.05);

/** Best µs per call of each function, rounds interleaved; slow ones (> 20 ms) get 2 rounds. */
function best(fs: (() => void)[]): number[] {
  const out = fs.map(() => Infinity);
  for (const f of fs) f();
  for (let r = 0; r < ROUNDS; r++) {
    fs.forEach((f, i) => {
      if (r >= 2 && out[i] > 0.02) return;
      out[i] = Math.min(out[i], round(f, SECONDS));
    });
  }
  return out.map((s) => s * 1e6);
}

interface Row {
  name: string;
  ts: () => void;
  nat: () => void;
}

const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

function table(title: string, rows: Row[], labels = ["TypeScript", "native"]): void {
  const threads = getNumThreads();
  console.log(`\n${title}`);
  console.log(
    `${"case".padEnd(52)}${labels[0].padStart(12)}${`${labels[1]} ${threads}t`.padStart(12)}${"speed-up".padStart(10)}${`${labels[1]} 1t`.padStart(12)}${"speed-up".padStart(10)}`,
  );
  for (const r of rows) {
    const [ts, nat] = best([r.ts, r.nat]);
    setNumThreads(1);
    const [nat1] = best([r.nat]);
    setNumThreads(threads);
    console.log(
      `${r.name.padEnd(52)}${fmt(ts).padStart(12)}${fmt(nat).padStart(12)}${`${(ts / nat).toFixed(1)}x`.padStart(10)}${fmt(nat1).padStart(12)}${`${(ts / nat1).toFixed(1)}x`.padStart(10)}`,
    );
  }
}

// ---------------------------------------------------------------- convolution

function convRows(): Row[] {
  const cases: [string, number[], number[], Partial<ConvParams>][] = [
    // [name, x shape, w shape, params]
    ["CNN conv1 [64,28,28,1] * [3,3,1,32]", [64, 28, 28, 1], [3, 3, 1, 32], {}],
    ["CNN conv2 [64,26,26,32] * [3,3,32,64]", [64, 26, 26, 32], [3, 3, 32, 64], {}],
    ["same s2 [16,32,32,16] * [3,3,16,32]", [16, 32, 32, 16], [3, 3, 16, 32], { strides: [2, 2], padBefore: [0, 0] }],
    ["depthwise [16,32,32,32] * [3,3,1,32]", [16, 32, 32, 32], [3, 3, 1, 32], { groups: 32, padBefore: [1, 1] }],
    ["1-d [32,100,16] * [5,16,32]", [32, 100, 16], [5, 16, 32], {}],
    ["3-d [4,12,12,12,8] * [3,3,3,8,16]", [4, 12, 12, 12, 8], [3, 3, 3, 8, 16], {}],
    ["tiny [1,6,6,2] * [3,3,2,4]", [1, 6, 6, 2], [3, 3, 2, 4], {}],
    ["small [2,8,8,4] * [3,3,4,8]", [2, 8, 8, 4], [3, 3, 4, 8], {}],
  ];
  const rows: Row[] = [];
  for (const [name, xs, ws, over] of cases) {
    const n = xs.length - 2;
    const p: ConvParams = {
      strides: over.strides ?? new Array(n).fill(1),
      padBefore: over.padBefore ?? new Array(n).fill(0),
      padAfter: new Array(n).fill(0),
      dilation: new Array(n).fill(1),
      groups: over.groups ?? 1,
    };
    const outS = xs.slice(1, n + 1).map((s, i) => Math.floor((s + 2 * p.padBefore[i] - ws[i]) / p.strides[i]) + 1);
    outS.forEach((o, i) => {
      p.padAfter[i] = (o - 1) * p.strides[i] + ws[i] - xs[i + 1] - p.padBefore[i];
    });
    const x = random(xs);
    const w = random(ws);
    const ys = [xs[0], ...outS, ws[n + 1]];
    const dy = random(ys);
    const y = Tensor.empty(ys);
    const dx = Tensor.empty(xs);
    const dw = Tensor.empty(ws);
    rows.push(
      { name: `${name} fwd`, ts: () => cpu.conv(x, w, y, p), nat: () => native.conv(x, w, y, p) },
      {
        name: `${name} dx`,
        ts: () => cpu.convBackpropInput(dy, w, dx, p),
        nat: () => native.convBackpropInput(dy, w, dx, p),
      },
      {
        name: `${name} dw`,
        ts: () => cpu.convBackpropFilter(x, dy, dw, p),
        nat: () => native.convBackpropFilter(x, dy, dw, p),
      },
    );
  }
  return rows;
}

/** Native convolutions on channels-last activations against oneDNN's blocked layouts with reorders. */
function layoutRows(): Row[] {
  const nxc = (f: () => void) => () => {
    addon!.setConvLayout(1);
    f();
  };
  const any = (f: () => void) => () => {
    addon!.setConvLayout(2);
    f();
  };
  return convRows()
    .filter((r) => !r.name.startsWith("tiny") && !r.name.startsWith("small"))
    .map((r) => ({ name: r.name, ts: nxc(r.nat), nat: any(r.nat) }));
}

// ---------------------------------------------------------------- pooling

function poolRows(): Row[] {
  const cases: [string, number[], number][] = [
    ["CNN maxpool 2 [64,24,24,64]", [64, 24, 24, 64], 2],
    ["pool 3 s1 [8,32,32,16]", [8, 32, 32, 16], 3],
    ["small [1,8,8,16]", [1, 8, 8, 16], 2],
    ["tiny [1,4,4,8]", [1, 4, 4, 8], 2],
  ];
  const rows: Row[] = [];
  for (const [name, xs, k] of cases) {
    const s = k === 3 ? 1 : k;
    const outS = [Math.floor((xs[1] - k) / s) + 1, Math.floor((xs[2] - k) / s) + 1];
    const p: PoolParams = { poolSize: [k, k], strides: [s, s], padBefore: [0, 0], padAfter: [0, 0] };
    const x = random(xs);
    const ys = [xs[0], ...outS, xs[3]];
    const dy = random(ys);
    const y = Tensor.empty(ys);
    const dx = Tensor.empty(xs);
    rows.push(
      { name: `${name} max`, ts: () => cpu.maxPool(x, y, p), nat: () => native.maxPool(x, y, p) },
      { name: `${name} maxGrad`, ts: () => cpu.maxPoolGrad(x, dy, dx, p), nat: () => native.maxPoolGrad(x, dy, dx, p) },
      { name: `${name} avg`, ts: () => cpu.avgPool(x, y, p), nat: () => native.avgPool(x, y, p) },
      { name: `${name} avgGrad`, ts: () => cpu.avgPoolGrad(dy, dx, p), nat: () => native.avgPoolGrad(dy, dx, p) },
    );
  }
  return rows;
}

// ---------------------------------------------------------------- activations and softmax

function actRows(): Row[] {
  const rows: Row[] = [];
  for (const op of ["relu", "sigmoid", "silu", "gelu", "geluTanh", "softplus"]) {
    for (const n of [64, 256, 1024, 16384, 262144]) {
      const x = random([n], -4, 4);
      const o = Tensor.empty([n]);
      rows.push({
        name: `${op} n=${n}`,
        ts: () => cpu.activation(op, x, o, 0.2),
        nat: () => native.activation(op, x, o, 0.2),
      });
    }
  }
  return rows;
}

function softmaxRows(): Row[] {
  const rows: Row[] = [];
  const cases: [number[], number][] = [
    [[4, 16], 1],
    [[16, 16], 1],
    [[128, 10], 1],
    [[1024, 10], 1],
    [[128, 1000], 1],
    [[128, 1000], 0],
    [[32, 64, 64], 1],
  ];
  for (const [shape, axis] of cases) {
    const x = random(shape, -5, 5);
    const o = Tensor.empty(shape);
    for (const k of ["softmax", "logSoftmax"] as const) {
      rows.push({
        name: `${k} [${shape}] axis ${axis}`,
        ts: () => cpu[k](x, axis, o),
        nat: () => native[k](x, axis, o),
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- optimizer updates

function optRows(): Row[] {
  const rows: Row[] = [];
  // 669,706 = the MLP 784-512-512-10's parameters, as one tensor for comparison.
  for (const n of [64, 256, 1024, 16384, 262144, 669706]) {
    const s = [n];
    const p = random(s);
    const g = random(s);
    const m = random(s, -0.1, 0.1);
    const v = random(s, 0, 0.01);
    const [po, mo, vo] = [Tensor.empty(s), Tensor.empty(s), Tensor.empty(s)];
    rows.push(
      {
        name: `adamUpdate n=${n}`,
        ts: () => cpu.adamUpdate(p, g, m, v, null, po, mo, vo, null, 1e-3, 0.9, 0.999, 1e-7, 0),
        nat: () => native.adamUpdate(p, g, m, v, null, po, mo, vo, null, 1e-3, 0.9, 0.999, 1e-7, 0),
      },
      {
        name: `sgdMomentumUpdate n=${n}`,
        ts: () => cpu.sgdMomentumUpdate(p, g, m, po, mo, 0.01, 0.9, false, 0),
        nat: () => native.sgdMomentumUpdate(p, g, m, po, mo, 0.01, 0.9, false, 0),
      },
    );
  }
  return rows;
}

function main(): void {
  if (!addon) {
    console.log("native addon not loaded: nothing to compare.");
    process.exit(1);
  }
  const info = addon.info();
  console.log(
    `${new Date().toISOString()} ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; oneDNN ${info.onednn} (${info.isa}), native threads ${getNumThreads()}; conv layout ${
      process.env.KERAS_TS_CONV_LAYOUT === "any" ? "any (blocked + reorders)" : "channels-last"
    }`,
  );
  const families: Record<string, [string, () => Row[]]> = {
    conv: ["convolution (forward, input gradient, filter gradient)", convRows],
    pool: ["pooling (2x2 stride 2, or 3x3 stride 1)", poolRows],
    act: ["activation", actRows],
    softmax: ["softmax / logSoftmax", softmaxRows],
    opt: ["fused optimizer updates", optRows],
  };
  const args = process.argv.slice(2);
  if (args.includes("--no-thresholds")) {
    for (const k of Object.keys(thresholds) as (keyof typeof thresholds)[]) thresholds[k] = 0;
  }
  const wanted = args.filter((a) => !a.startsWith("--"));
  for (const [key, [title, rows]] of Object.entries(families)) {
    if (wanted.length === 0 || wanted.includes(key)) table(title, rows());
  }
  if (wanted.includes("layout")) {
    const threads = getNumThreads();
    console.log("\nnative convolution: channels-last (nxc) against blocked (any) activations, µs per call");
    console.log(
      `${"case".padEnd(52)}${["nxc 1t", "any 1t", "any/nxc", `nxc ${threads}t`, `any ${threads}t`].map((h) => h.padStart(12)).join("")}`,
    );
    for (const r of layoutRows()) {
      setNumThreads(1);
      const [n1, a1] = best([r.ts, r.nat]);
      setNumThreads(threads);
      const [n2, a2] = best([r.ts, r.nat]);
      console.log(
        `${r.name.padEnd(52)}${[fmt(n1), fmt(a1), `${(n1 / a1).toFixed(2)}x`, fmt(n2), fmt(a2)].map((c) => c.padStart(12)).join("")}`,
      );
    }
    addon.setConvLayout(0);
  }
}

main();
