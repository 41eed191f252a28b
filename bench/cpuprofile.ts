/**
 * Summary of a V8 CPU profile (`node --cpu-prof`, or bench/train.ts --profile) of keras-ts
 * training: self time by category (kernels, op layer, tape, optimizer, allocation, GC), the step's
 * phases by inclusive time, and the functions with the most self time.
 *
 *     npx tsx bench/cpuprofile.ts out/prof/CPU.*.cpuprofile [top]
 *
 * A native (N-API) kernel's time is the self time of the JavaScript function that calls the addon
 * (e.g. `matmul` in src/backend/native/index.ts), so "native" categories are kernel time plus the
 * call's few microseconds.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = (url: string) => url.replace(/^.*\/(src|bench|node_modules)\//, "$1/");

/** Self-time category of one frame (first match wins); `native` marks an addon call's own time. */
const CATEGORIES: [string, (f: string, u: string, native: boolean) => boolean][] = [
  ["GC", (f) => f === "(garbage collector)"],
  ["idle (waiting: OpenMP/pool workers, other processes)", (f) => f === "(idle)"],
  ["matmul kernel (native oneDNN)", (f, u, n) => n && f === "matmul" && u.includes("backend/native/")],
  ["matmul kernel (TypeScript)", (_f, u) => u.includes("backend/cpu/linalg")],
  ["conv / pooling kernels", (_f, u) => /backend\/(native|cpu)\/(conv|pool)/.test(u)],
  ["optimizer kernel (fused Adam update, native)", (_f, u, n) => n && /backend\/native\/optimizers/.test(u)],
  ["optimizer kernel (TypeScript)", (_f, u) => /backend\/cpu\/optimizers/.test(u)],
  [
    "element-wise kernels, native (binary, unary, activation, softmax, reduce)",
    (_f, u, n) => n && u.includes("backend/native/"),
  ],
  [
    "element-wise kernels, TypeScript (where, comparisons, broadcast loops, copies)",
    (_f, u) => u.includes("backend/cpu/"),
  ],
  [
    "allocation (Tensor.empty, typed arrays)",
    (f, u) =>
      u.includes("backend/dtypes") || f === "allocate" || /Float(32|64)Array|ArrayBuffer|createUnsafeBuffer/.test(f),
  ],
  ["native kernel wrappers (argument checks, broadcast collapsing)", (_f, u) => u.includes("backend/native/")],
  ["tape / backprop bookkeeping (autodiff/)", (_f, u) => u.includes("src/autodiff/")],
  [
    "op layer (registry, specs, Tensor objects, shapes)",
    (_f, u) => u.includes("src/ops/") || /backend\/(tensor|shape|kernels|convert|symbolic)/.test(u),
  ],
  ["optimizer (optimizers/, variables)", (_f, u) => u.includes("src/optimizers/") || u.includes("backend/variable")],
  ["layers / model graph", (_f, u) => /src\/(layers|models|symbolic|activations|initializers)\//.test(u)],
  ["losses / metrics", (_f, u) => /src\/(losses|metrics)\//.test(u)],
  ["fit loop (trainers/, callbacks/, data)", (_f, u) => /src\/(trainers|callbacks|tree|utils)\//.test(u)],
  ["V8 / Node internals ((program), builtins)", () => true],
];

/** Step phase of a sample, from its stack (innermost frames first). */
function phaseOf(stack: CallFrame[]): string {
  for (const cf of stack) {
    const u = cf.url;
    if (u.includes("src/autodiff/") && cf.functionName === "gradient") return "backward (tape.gradient)";
    if (u.includes("src/optimizers/") && cf.functionName === "apply") return "optimizer.apply";
    if (u.includes("src/autodiff/") && cf.functionName === "record") return "forward + loss (under tape.record)";
    if (cf.functionName === "computeMetrics" || cf.functionName === "updateState") return "metrics / loss tracker";
  }
  return "rest (fit loop, batch slicing, callbacks, GC between steps)";
}

export function summarize(p: CpuProfile, top = 30): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // a sample's duration is the delta to the next one
    selfById.set(p.samples[i], (selfById.get(p.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  const phases = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);
  for (const [id, t] of selfById) {
    // An addon function is a frame with neither name nor script: its time is its JS caller's kernel.
    let cf = byId.get(id)!.callFrame;
    const native = cf.functionName === "" && cf.url === "" && parent.has(id);
    if (native) cf = byId.get(parent.get(id)!)!.callFrame;
    const f = cf.functionName || "(anonymous)";
    const u = file(cf.url);
    add(cats, CATEGORIES.find(([, test]) => test(f, u, native))![0], t);
    add(fns, `${native ? "addon, called by " : ""}\`${f}\` ${u ? `(${u})` : ""}`, t);
    const stack: CallFrame[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const c = byId.get(n)!.callFrame;
      stack.push({ ...c, url: file(c.url) });
    }
    add(phases, f === "(idle)" ? "idle" : phaseOf(stack), t);
  }
  const ms = (t: number) => (t / 1000).toFixed(1);
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`;
  const table = (title: string, m: Map<string, number>, limit = Number.POSITIVE_INFINITY) =>
    [
      `| ${title} | self ms | share |`,
      "| --- | ---: | ---: |",
      ...[...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([k, t]) => `| ${k} | ${ms(t)} | ${pct(t)} |`),
    ].join("\n");
  return [
    `${ms(total)} ms sampled (${p.samples.length} samples)`,
    "",
    table("category (self time)", cats),
    "",
    table("phase (inclusive)", phases),
    "",
    table(`top ${top} functions (self time)`, fns, top),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2).filter((a) => a.endsWith(".cpuprofile"));
  const top = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
  for (const f of files) console.log(`## ${f}\n\n${summarize(JSON.parse(readFileSync(f, "utf8")), top)}\n`);
}
