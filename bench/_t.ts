/**
 * Training throughput through `model.fit` (issue 3's benchmark): keras-ts (native kernels, and the
 * TypeScript kernels in a child process) against TensorFlow.js (cpu and wasm backends) and, when
 * KERAS_TS_PEERS_PYTHON names a Python with Keras 3 on JAX and/or PyTorch, against those.
 *
 *     npm run bench
 *
 * Models, on random data: the MLP 784-512-512-10 (relu, softmax, categorical cross-entropy, Adam,
 * batch 128) and the CNN Conv2D(32, 3, relu) - Conv2D(64, 3, relu) - MaxPooling2D(2) - Flatten -
 * Dense(128, relu) - Dense(10, softmax) on 28x28x1 images (batch 64).
 *
 * Environment:
 *   KERAS_TS_BENCH_ROUNDS (5)       timed rounds per configuration, interleaved (keras-ts and the
 *                                   Python peers; then tfjs on its own) so every
 *                                   configuration sees the same machine; best and median reported
 *   KERAS_TS_BENCH_MLP_STEPS (20)   training steps per timed round (one `fit` of one epoch)
 *   KERAS_TS_BENCH_CNN_STEPS (4)
 *   KERAS_TS_BENCH_WARMUP           untimed steps first, over the timed batches, for every framework
 *                                   (default 1000 for the MLP, 10 for the CNN: V8's optimizing compiler
 *                                   was still compiling 15 functions per 20-step MLP fit after 200
 *                                   steps and ~1 after 1,000, taking the OpenMP worker's core)
 *   KERAS_TS_BENCH_MEMORY_EPOCHS (5) epochs of the resident-memory check (0 skips it)
 *   KERAS_TS_BENCH_TS=0, _TFJS=0, _SLOW=0 skip the TypeScript kernels, tfjs, and the configurations
 *                                   that take minutes (tfjs cpu on the CNN)
 *   KERAS_TS_PEERS_PYTHON           a Python with keras+jax and/or torch: bench/peers/*.py run as
 *                                   child processes whose rounds interleave with the others
 *
 * Profile of the keras-ts step alone (native kernels) over the timed rounds, with its summary by
 * category (bench/cpuprofile.ts; the same summary for any `node --cpu-prof` output):
 *     npx tsx bench/train.ts --profile mlp       (writes out/prof/train-mlp.cpuprofile)
 *     npx tsx bench/cpuprofile.ts out/prof/CPU.*.cpuprofile
 * With KERAS_TS_BENCH_NO_KERNELS=1 the profile runs every kernel as a no-op: what remains is the
 * framework's own overhead (ops, tape, layers, allocation, the fit loop).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as keras from "../src/index.js";
import { kernels } from "../src/backend/kernels.js";
import { type CpuProfile, summarize as summarizeProfile } from "./cpuprofile.js";

type Kind = "mlp" | "cnn";
const env = process.env;
const ROUNDS = Number(env.KERAS_TS_BENCH_ROUNDS ?? 5);
const STEPS: Record<Kind, number> = {
  mlp: Number(env.KERAS_TS_BENCH_MLP_STEPS ?? 20),
  cnn: Number(env.KERAS_TS_BENCH_CNN_STEPS ?? 4),
};
const WARMUP: Record<Kind, number> = {
  mlp: Number(env.KERAS_TS_BENCH_WARMUP ?? 1000),
  cnn: Number(env.KERAS_TS_BENCH_WARMUP ?? 10),
};
const BATCH: Record<Kind, number> = { mlp: 128, cnn: 64 };
const PAUSE_MS = Number(env.KERAS_TS_BENCH_PAUSE_MS ?? 200);
const SHAPE: Record<Kind, number[]> = { mlp: [784], cnn: [28, 28, 1] };
const CLASSES = 10;
const here = fileURLToPath(import.meta.url);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Random inputs in [0, 1) and one-hot targets for `n` samples (the same arrays for every framework). */
function makeData(kind: Kind, n: number): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float32Array(n * size(SHAPE[kind]));
  for (let i = 0; i < x.length; i++) x[i] = rand();
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + Math.floor(rand() * CLASSES)] = 1;
  return { x, y };
}

/** `steps` untimed steps through `fit(count)`, over the `batches` timed batches, repeated (as the Python peers do). */
async function warmUp(fit: (count: number) => Promise<number>, steps: number, batches: number): Promise<void> {
  for (let done = 0; done < steps; done += batches) await fit(Math.min(batches, steps - done));
}

/** One configuration: a warmed-up model whose `round()` runs `steps` training steps, in seconds. */
interface Runner {
  name: string;
  kind: Kind;
  steps: number;
  rounds: number;
  round: () => Promise<number>;
  lastLoss: () => number;
  seconds: number[];
}

function kerasModel(kind: Kind): keras.Sequential {
  const L = keras.layers;
  if (kind === "mlp") {
    return new keras.Sequential([
      keras.Input({ shape: [784] }),
      new L.Dense(512, { activation: "relu" }),
      new L.Dense(512, { activation: "relu" }),
      new L.Dense(CLASSES, { activation: "softmax" }),
    ]);
  }
  return new keras.Sequential([
    keras.Input({ shape: [28, 28, 1] }),
    new L.Conv2D(32, 3, { activation: "relu" }),
    new L.Conv2D(64, 3, { activation: "relu" }),
    new L.MaxPooling2D(2),
    new L.Flatten(),
    new L.Dense(128, { activation: "relu" }),
    new L.Dense(CLASSES, { activation: "softmax" }),
  ]);
}

interface KerasRunner extends Runner {
  model: keras.Sequential;
  x: keras.Tensor;
  y: keras.Tensor;
}

async function kerasRunner(name: string, kind: Kind, steps: number, rounds: number, warmup = WARMUP[kind]) {
  keras.utils.setRandomSeed(1);
  const model = kerasModel(kind);
  model.compile({ optimizer: new keras.optimizers.Adam(), loss: "categorical_crossentropy" });
  const n = BATCH[kind] * Math.max(steps, 1);
  const data = makeData(kind, n);
  const x = new keras.Tensor(data.x, [n, ...SHAPE[kind]]);
  const y = new keras.Tensor(data.y, [n, CLASSES]);
  let loss = Number.NaN;
  const fit = async (count: number) => {
    const steps0 = 0;
    void steps0;
    const m = BATCH[kind] * count;
    const xs = m === n ? x : x.slice([0, ...SHAPE[kind].map(() => 0)], [m, ...SHAPE[kind]]);
    const ys = m === n ? y : y.slice([0, 0], [m, CLASSES]);
    const t0 = performance.now();
    const st: number[] = [];
    let tb = 0;
    const cb = new keras.callbacks.LambdaCallback({
      onTrainBatchBegin: () => {
        tb = performance.now();
      },
      onTrainBatchEnd: () => {
        st.push(performance.now() - tb);
      },
    });
    const h = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: BATCH[kind],
      shuffle: false,
      verbose: 0,
      callbacks: [cb],
    });
    if (env.STEPLOG && count === steps) console.error("steps", st.map((v) => v.toFixed(1)).join(" "));
    const sec = (performance.now() - t0) / 1000;
    loss = (h.history.loss as number[]).at(-1) ?? Number.NaN;
    return sec;
  };
  await warmUp(fit, warmup, n / BATCH[kind]);
  const r: KerasRunner = {
    name,
    kind,
    steps,
    rounds,
    round: () => fit(steps),
    lastLoss: () => loss,
    seconds: [],
    model,
    x,
    y,
  };
  return r;
}

// biome-ignore lint/suspicious/noExplicitAny: tfjs is loaded dynamically (devDependency).
type TF = any;

async function tfjsRunner(tf: TF, backend: string, kind: Kind, steps: number, rounds: number, warmup: number) {
  await tf.setBackend(backend);
  const model =
    kind === "mlp"
      ? tf.sequential({
          layers: [
            tf.layers.dense({ units: 512, activation: "relu", inputShape: [784] }),
            tf.layers.dense({ units: 512, activation: "relu" }),
            tf.layers.dense({ units: CLASSES, activation: "softmax" }),
          ],
        })
      : tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
            tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 128, activation: "relu" }),
            tf.layers.dense({ units: CLASSES, activation: "softmax" }),
          ],
        });
  model.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy" });
  const n = BATCH[kind] * Math.max(steps, 1);
  const data = makeData(kind, n);
  const x = tf.tensor(data.x, [n, ...SHAPE[kind]]);
  const y = tf.tensor2d(data.y, [n, CLASSES]);
  let loss = Number.NaN;
  const fit = async (count: number) => {
    const steps0 = 0;
    void steps0;
    await tf.setBackend(backend);
    const m = BATCH[kind] * count;
    const xs = m === n ? x : x.slice(0, m);
    const ys = m === n ? y : y.slice(0, m);
    const t0 = performance.now();
    const st: number[] = [];
    let tb = 0;
    const cb = new keras.callbacks.LambdaCallback({
      onTrainBatchBegin: () => {
        tb = performance.now();
      },
      onTrainBatchEnd: () => {
        st.push(performance.now() - tb);
      },
    });
    const h = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: BATCH[kind],
      shuffle: false,
      verbose: 0,
      callbacks: [cb],
    });
    if (env.STEPLOG && count === steps) console.error("steps", st.map((v) => v.toFixed(1)).join(" "));
    const sec = (performance.now() - t0) / 1000;
    loss = h.history.loss.at(-1);
    return sec;
  };
  await warmUp(fit, warmup, n / BATCH[kind]);
  const r: Runner = {
    name: `tfjs ${backend}`,
    kind,
    steps,
    rounds,
    round: () => fit(steps),
    lastLoss: () => loss,
    seconds: [],
  };
  return r;
}

/**
 * A Python peer (bench/peers/train_*.py --serve) kept running: it builds and warms up one model
 * once, then times one round per request, so its rounds interleave with the others.
 */
class Peer {
  name = "";
  private lines: AsyncIterator<string>;
  private proc: ChildProcess;
  private constructor(proc: ChildProcess) {
    this.proc = proc;
    this.lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  }
  static async start(python: string, script: string, childEnv: NodeJS.ProcessEnv, kind: Kind): Promise<Peer> {
    // A STEPS of 0 makes the peer skip that model: it builds and warms up only `kind`'s.
    const steps = (k: Kind) => String(k === kind ? STEPS[k] : 0);
    const args = [script, "--serve", String(ROUNDS), steps("mlp"), steps("cnn"), String(WARMUP[kind])];
    const proc = spawn(python, args, { env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    proc.stderr!.on("data", (d) => {
      err = (err + d).slice(-2000);
    });
    const peer = new Peer(proc);
    const first = await peer.lines.next();
    if (first.done) throw new Error(`${script} exited: ${err.trim().split("\n").slice(-2).join(" | ")}`);
    peer.name = JSON.parse(first.value).name;
    return peer;
  }
  async round(kind: Kind): Promise<{ seconds: number; loss: number }> {
    this.proc.stdin!.write(`${kind}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error(`${this.name}: the peer process exited`);
    return JSON.parse(r.value);
  }
  stop(): void {
    this.proc.stdin!.end();
  }
}

function peerRunner(peer: Peer, kind: Kind): Runner {
  let loss = Number.NaN;
  return {
    name: peer.name,
    kind,
    steps: STEPS[kind],
    rounds: ROUNDS,
    round: async () => {
      const r = await peer.round(kind);
      loss = r.loss;
      return r.seconds;
    },
    lastLoss: () => loss,
    seconds: [],
  };
}

interface Row {
  name: string;
  model: Kind;
  best: number;
  median: number;
  rounds: number;
  loss: number;
  note?: string;
}

function summarize(r: Runner): Row {
  if (env.KERAS_TS_BENCH_DEBUG)
    console.error(r.name, r.seconds.map((s) => Math.round((BATCH[r.kind] * r.steps) / s)).join(" "));
  const n = BATCH[r.kind] * r.steps;
  const sorted = [...r.seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    name: r.name,
    model: r.kind,
    best: n / sorted[0],
    median: n / median,
    rounds: sorted.length,
    loss: r.lastLoss(),
  };
}

/** Round-robin over the runners; a runner with fewer rounds drops out when it has done them. */
async function timeAll(runners: Runner[]): Promise<Row[]> {
  const most = Math.max(0, ...runners.map((r) => r.rounds));
  for (let k = 0; k < most; k++) {
    for (const r of runners) {
      if (k >= r.rounds) continue;
      // A pause first, so that no framework's round starts while the previous one's threads
      // still spin (libgomp, XLA's and keras-ts's workers spin before they sleep).
      await new Promise((done) => setTimeout(done, PAUSE_MS));
      r.seconds.push(await r.round());
    }
    process.stderr.write(`round ${k + 1}/${most} done\n`);
  }
  return runners.map(summarize);
}

const failedRow = (name: string, model: Kind, note: string): Row => ({
  name,
  model,
  best: Number.NaN,
  median: Number.NaN,
  rounds: 0,
  loss: Number.NaN,
  note,
});

/** Runs a JSON-printing child process; its last stdout line is a Row or a list of Rows. */
function runJson(cmd: string, args: string[], childEnv: NodeJS.ProcessEnv, label: string): Row[] {
  const res = spawnSync(cmd, args, { env: childEnv, encoding: "utf8", timeout: 30 * 60 * 1000, maxBuffer: 1 << 26 });
  const line = res.stdout?.trim().split("\n").at(-1);
  try {
    const parsed = JSON.parse(line ?? "");
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    const err = (res.stderr || String(res.error)).trim().split("\n").slice(-3).join(" | ");
    return (["mlp", "cnn"] as Kind[]).map((m) => failedRow(label, m, `failed: ${err}`));
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function machine(): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {}
  const info = keras.backend.info();
  const n = info.native;
  const native = n.loaded
    ? `native addon: oneDNN ${n.onednn} (${n.threadingRuntime}, ISA ${n.isa}), ${n.threads} threads, ${n.cores} cores`
    : `native addon not loaded (${n.error})`;
  const kernels = Object.entries(info.kernels);
  const nat = kernels.filter(([, b]) => b === "native").map(([k]) => k);
  return (
    `${model}, ${cpus().length} cores, load average ${load()}, Node ${process.version}\n${native}\n` +
    `native kernels in use (${nat.length} of ${kernels.length}): ${nat.join(", ") || "none"}`
  );
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : "-");

/** Resident memory after each of `epochs` epochs of MLP training on a warmed-up model. */
async function memoryCheck(r: KerasRunner, epochs: number): Promise<string> {
  const rss: number[] = [];
  const heap: number[] = [];
  const mb = (b: number) => b / 2 ** 20;
  const cb = new keras.callbacks.LambdaCallback({
    onEpochEnd: () => {
      const m = process.memoryUsage();
      rss.push(mb(m.rss));
      heap.push(mb(m.heapUsed));
    },
  });
  const before = mb(process.memoryUsage().rss);
  await r.model.fit(r.x, r.y, { epochs, batchSize: BATCH.mlp, shuffle: false, verbose: 0, callbacks: [cb] });
  const lines = rss.map((v, i) => `  epoch ${i + 1}: rss ${v.toFixed(1)} MB, heap used ${heap[i].toFixed(1)} MB`);
  const growth = rss[rss.length - 1] - rss[0];
  const spread = Math.max(...rss) - Math.min(...rss);
  const flat = Math.abs(growth) < 0.05 * rss[0] && spread < 0.1 * rss[0];
  return (
    `Resident memory over ${epochs} epochs of ${r.x.shape[0] / BATCH.mlp} MLP steps (after warm-up; ` +
    `rss before: ${before.toFixed(1)} MB):\n${lines.join("\n")}\n` +
    `  epoch 1 -> ${epochs}: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB, range ${spread.toFixed(1)} MB: ` +
    `${flat ? "flat" : "NOT flat"} (flat = within 5% of epoch 1 at the end and 10% over all epochs)`
  );
}

async function child(): Promise<void> {
  // TypeScript kernels (KERAS_TS_KERNELS=typescript set by the parent): one thread, slow, so
  // fewer steps and rounds.
  const runners: Runner[] = [];
  for (const kind of ["mlp", "cnn"] as Kind[]) {
    const steps = Math.max(1, Math.ceil(STEPS[kind] / (kind === "mlp" ? 5 : 4)));
    if (STEPS[kind] > 0) runners.push(await kerasRunner("keras-ts TypeScript kernels", kind, steps, 2, 2));
  }
  console.log(JSON.stringify(await timeAll(runners)));
}

/**
 * keras-ts alone (native kernels), with V8's sampling profiler (node:inspector, the profiler
 * behind --cpu-prof) running over the timed rounds only, not the module loading and warm-up; writes
 * out/prof/train-<kind>.cpuprofile and prints its summary (bench/cpuprofile.ts).
 */
async function profile(kind: Kind): Promise<void> {
  if (env.KERAS_TS_BENCH_NO_KERNELS === "1") {
    // Framework overhead alone: every kernel a no-op (garbage values, the same ops, tape and loop).
    const table = kernels as unknown as Record<string, unknown>;
    for (const name of Object.keys(table)) table[name] = () => {};
  }
  const r = await kerasRunner("keras-ts native", kind, STEPS[kind], ROUNDS);
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: Number(env.KERAS_TS_BENCH_SAMPLING_US ?? 200) });
  await post("Profiler.start");
  const [row] = await timeAll([r]);
  const { profile: prof } = (await post("Profiler.stop")) as { profile: CpuProfile };
  session.disconnect();
  mkdirSync("out/prof", { recursive: true });
  const path = `out/prof/train-${kind}.cpuprofile`;
  writeFileSync(path, JSON.stringify(prof));
  const steps = ROUNDS * STEPS[kind];
  console.log(
    `keras-ts native ${kind} (${keras.backend.getNumThreads()} threads): ${fmt(row.best)} samples/s best, ` +
      `${fmt(row.median)} median; ${steps} steps profiled, ` +
      `${((prof.endTime - prof.startTime) / 1000 / steps).toFixed(2)} ms per step; load average ${load()}\n${path}\n`,
  );
  console.log(summarizeProfile(prof, Number(env.KERAS_TS_BENCH_TOP ?? 30)));
}

async function main(): Promise<void> {
  if (process.argv.includes("--child")) return child();
  const p = process.argv.indexOf("--profile");
  if (p >= 0) return profile((process.argv[p + 1] ?? "mlp") as Kind);

  const started = new Date().toISOString();
  console.log(`${started}\n${machine()}`);
  console.log(
    `MLP 784-512-512-10 (batch ${BATCH.mlp}, ${STEPS.mlp} steps per round) and CNN conv32-conv64-pool-128-10 ` +
      `(batch ${BATCH.cnn}, ${STEPS.cnn} steps per round); Adam, categorical cross-entropy, random data; ` +
      `${WARMUP.mlp} / ${WARMUP.cnn} warm-up steps; best and median of ${ROUNDS} interleaved rounds`,
  );
  const kinds = (["mlp", "cnn"] as Kind[]).filter((k) => STEPS[k] > 0);
  const rows: Row[] = [];
  const threads = keras.backend.getNumThreads();
  const nativeName = keras.backend.info().native.loaded
    ? `keras-ts native (${threads} thread${threads > 1 ? "s" : ""})`
    : "keras-ts (no native addon)";
  const mlpRunners: KerasRunner[] = [];
  const python = env.KERAS_TS_PEERS_PYTHON;
  if (python && !existsSync(python))
    console.log(`KERAS_TS_PEERS_PYTHON=${python} does not exist: Python peers skipped`);
  // One model at a time, as a user trains: each framework's process holds only the model being
  // timed (a CNN trained in between made keras-ts's MLP rounds 1.4x slower: cache, heap and JIT
  // state; the peers get fresh processes per model).
  for (const kind of kinds) {
    const runners: Runner[] = [];
    const peers: Peer[] = [];
    if (python && existsSync(python)) {
      for (const [script, label, extra] of [
        ["train_keras.py", "Keras 3 JAX", { KERAS_BACKEND: "jax" }],
        ["train_torch.py", "PyTorch", {}],
      ] as const) {
        process.stderr.write(`${label} ${kind} (child process): warm-up...\n`);
        const path = fileURLToPath(new URL(`./peers/${script}`, import.meta.url));
        try {
          const peer = await Peer.start(python, path, { ...env, ...extra }, kind);
          peers.push(peer);
          runners.push(peerRunner(peer, kind));
        } catch (e) {
          rows.push(failedRow(label, kind, `failed: ${String(e).split("\n")[0]}`));
        }
      }
    }
    // keras-ts warms up last, right before the rounds: idle for the tens of seconds the peers
    // take to warm up, V8 shrinks its heap and then collects the old generation every fit for
    // a while (Mark-Compact every ~200 ms, --trace-gc): its MLP rounds ran at 30-39k samples/s,
    // climbing back over minutes, against 46-55k when it warmed up last. The Python peers do not
    // slow down after idling.
    const r = await kerasRunner(nativeName, kind, STEPS[kind], ROUNDS);
    if (kind === "mlp") mlpRunners.push(r);
    runners.unshift(r);
    rows.push(...(await timeAll(runners)));
    for (const peer of peers) peer.stop();
  }
  rows.sort((a, b) => kinds.indexOf(a.model) - kinds.indexOf(b.model));

  // tfjs after the interleaved rounds: its garbage (V8 collects it on background threads while
  // this process waits) took half the cores from the peers' rounds that followed it.
  let tfVersion = "";
  const tfjsRunners: Runner[] = [];
  if (env.KERAS_TS_BENCH_TFJS !== "0") {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    tfVersion = tf.version.tfjs;
    for (const backend of ["cpu", "wasm"]) {
      for (const kind of kinds) {
        // tfjs cpu trains the CNN at under a sample per second: one step, one round, no warm-up.
        const slow = backend === "cpu" && kind === "cnn";
        if (slow && env.KERAS_TS_BENCH_SLOW === "0") continue;
        try {
          process.stderr.write(`tfjs ${backend} ${kind}: warm-up...\n`);
          tfjsRunners.push(
            slow
              ? await tfjsRunner(tf, backend, kind, 1, 1, 0)
              : await tfjsRunner(tf, backend, kind, STEPS[kind], ROUNDS, Math.min(WARMUP[kind], 5)),
          );
        } catch (e) {
          rows.push(failedRow(`tfjs ${backend}`, kind, `failed: ${String(e).split("\n")[0]}`));
        }
      }
    }
    await tf.setBackend("wasm").catch(() => false);
    if (tf.getBackend() === "wasm") {
      const e = tf.env();
      tfVersion += ` (wasm: SIMD ${e.getBool("WASM_HAS_SIMD_SUPPORT")}, threads ${e.getBool("WASM_HAS_MULTITHREAD_SUPPORT")})`;
    }
  }
  rows.push(...(await timeAll(tfjsRunners)));

  if (env.KERAS_TS_BENCH_TS !== "0") {
    process.stderr.write("TypeScript kernels (child process)...\n");
    rows.push(
      ...runJson(
        process.execPath,
        [...process.execArgv, here, "--child"],
        { ...env, KERAS_TS_KERNELS: "typescript" },
        "keras-ts TypeScript kernels",
      ),
    );
  }
  if (tfVersion) console.log(`tfjs ${tfVersion}`);
  console.log(`load average after: ${load()}\n`);
  const nativeRow = (kind: Kind) => rows.find((r) => r.model === kind && r.name === nativeName);
  console.log("samples/s (best and median round); ratio: keras-ts native (best) ÷ this row (best)");
  console.log("| model | configuration | best | median | rounds | keras-ts ÷ this | last loss |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const kind of kinds) {
    const ref = nativeRow(kind);
    for (const r of rows.filter((q) => q.model === kind)) {
      const ratio = ref && Number.isFinite(r.best) ? `${(ref.best / r.best).toFixed(2)}x` : "-";
      const loss = Number.isFinite(r.loss) ? r.loss.toFixed(3) : "-";
      console.log(
        `| ${kind.toUpperCase()} | ${r.name} | ${fmt(r.best)} | ${fmt(r.median)} | ${r.rounds} | ${ratio} | ${loss} |` +
          `${r.note ? ` ${r.note}` : ""}`,
      );
    }
  }
  // Issue 3's targets: MLP >= 1.0x Keras-on-JAX, CNN >= 1.0x PyTorch (both measured in this run).
  for (const [kind, peer] of [
    ["mlp", "Keras"],
    ["cnn", "PyTorch"],
  ] as const) {
    const ref = nativeRow(kind);
    const p = rows.find((r) => r.model === kind && r.name.startsWith(peer) && Number.isFinite(r.best));
    if (ref && p) {
      const ratio = ref.best / p.best;
      console.log(
        `target ${kind.toUpperCase()} >= 1.0x ${p.name}: ${ratio.toFixed(2)}x (best) / ` +
          `${(ref.median / p.median).toFixed(2)}x (median): ${ratio >= 1 ? "met" : "NOT met"}`,
      );
    }
  }

  const epochs = Number(env.KERAS_TS_BENCH_MEMORY_EPOCHS ?? 5);
  if (epochs > 0 && mlpRunners.length > 0) console.log(`\n${await memoryCheck(mlpRunners[0], epochs)}`);
}

await main();
