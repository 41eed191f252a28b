/**
 * LSTM training throughput through `model.fit`: keras-ts against TensorFlow.js (and Keras 3 on JAX
 * when /tmp/kenv has it). Model: LSTM(128) over sequences of 50 steps of 32 features, then
 * Dense(10, softmax); categorical cross-entropy, Adam, batch 64, random data.
 *
 *     npm run bench:lstm
 *
 * Environment: KERAS_TS_BENCH_ROUNDS (default 5) timed rounds per configuration, interleaved so
 * that every configuration sees the same machine (the best round is the least disturbed one on a
 * shared machine); KERAS_TS_BENCH_BATCHES (default 4) batches per timed fit; KERAS_TS_BENCH_TS=0
 * skips the TypeScript kernels (a child process with KERAS_TS_KERNELS=typescript,
 * KERAS_TS_BENCH_TS_ROUNDS rounds, default 2), KERAS_TS_BENCH_TFJS=0 tfjs, KERAS_TS_BENCH_PEERS=0
 * the Python peer bench/peers/lstm_keras.py (KERAS_TS_BENCH_PYTHON, default /tmp/kenv/bin/python,
 * run with KERAS_BACKEND=jax).
 *
 * `tsx bench/lstm.ts --profile` runs only keras-ts (native kernels; KERAS_TS_BENCH_THREADS sets
 * the threads) for a profile:
 *     node --cpu-prof --cpu-prof-dir=out/prof --import tsx bench/lstm.ts --profile
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import * as keras from "../src/index.js";

const ROUNDS = Number(process.env.KERAS_TS_BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.KERAS_TS_BENCH_BATCHES ?? 4);
const BATCH = 64;
const TIME = 50;
const FEATURES = 32;
const UNITS = 128;
const CLASSES = 10;
const N = BATCH * BATCHES;
const here = fileURLToPath(import.meta.url);

/** Random inputs in [-1, 1) and one-hot targets, the same arrays for every framework. */
function makeData(): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float32Array(N * TIME * FEATURES);
  for (let i = 0; i < x.length; i++) x[i] = 2 * rand() - 1;
  const y = new Float32Array(N * CLASSES);
  for (let i = 0; i < N; i++) y[i * CLASSES + Math.floor(rand() * CLASSES)] = 1;
  return { x, y };
}

/** One configuration: a warmed-up model whose `round()` trains one epoch of N samples, in seconds. */
interface Runner {
  name: string;
  round: () => Promise<number>;
  lastLoss: () => number;
  seconds: number[];
}

async function kerasRunner(name: string, threads: number | null, data = makeData()): Promise<Runner> {
  keras.utils.setRandomSeed(1);
  const model = new keras.Sequential([
    keras.Input({ shape: [TIME, FEATURES] }),
    new keras.layers.LSTM(UNITS),
    new keras.layers.Dense(CLASSES, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: new keras.optimizers.Adam(), loss: "categorical_crossentropy" });
  const x = new keras.Tensor(data.x, [N, TIME, FEATURES]);
  const y = new keras.Tensor(data.y, [N, CLASSES]);
  let loss = NaN;
  const fit = async (xs: keras.Tensor, ys: keras.Tensor) => {
    if (threads !== null) keras.backend.setNumThreads(threads);
    const t0 = performance.now();
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    const sec = (performance.now() - t0) / 1000;
    loss = (h.history.loss as number[]).at(-1) ?? NaN;
    return sec;
  };
  // Warm-up: builds the model and the optimizer's slots, and the JIT's hot paths.
  await fit(x.slice([0, 0, 0], [BATCH, TIME, FEATURES]), y.slice([0, 0], [BATCH, CLASSES]));
  return { name, round: () => fit(x, y), lastLoss: () => loss, seconds: [] };
}

// biome-ignore lint/suspicious/noExplicitAny: tfjs is loaded dynamically (devDependency, optional).
type TF = any;

async function tfjsRunner(tf: TF, backend: string, data = makeData()): Promise<Runner> {
  await tf.setBackend(backend);
  tf.util.seedrandom?.(1);
  const model = tf.sequential({
    layers: [
      // tfjs's defaults are Keras 2's (hardSigmoid); Keras 3 uses sigmoid.
      tf.layers.lstm({
        units: UNITS,
        inputShape: [TIME, FEATURES],
        recurrentActivation: "sigmoid",
        unitForgetBias: true,
      }),
      tf.layers.dense({ units: CLASSES, activation: "softmax" }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy" });
  const x = tf.tensor3d(data.x, [N, TIME, FEATURES]);
  const y = tf.tensor2d(data.y, [N, CLASSES]);
  let loss = NaN;
  const fit = async (xs: TF, ys: TF) => {
    await tf.setBackend(backend);
    const t0 = performance.now();
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    const sec = (performance.now() - t0) / 1000;
    loss = h.history.loss.at(-1);
    return sec;
  };
  await fit(x.slice([0, 0, 0], [BATCH, TIME, FEATURES]), y.slice([0, 0], [BATCH, CLASSES]));
  return { name: `tfjs ${backend}`, round: () => fit(x, y), lastLoss: () => loss, seconds: [] };
}

interface Row {
  name: string;
  best: number;
  median: number;
  rounds: number;
  loss: number;
  note?: string;
}

function summarize(r: Runner): Row {
  const sorted = [...r.seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { name: r.name, best: N / sorted[0], median: N / median, rounds: sorted.length, loss: r.lastLoss() };
}

async function timeAll(runners: Runner[], rounds: number): Promise<Row[]> {
  for (let k = 0; k < rounds; k++) {
    for (const r of runners) r.seconds.push(await r.round());
    process.stderr.write(`round ${k + 1}/${rounds} done\n`);
  }
  return runners.map(summarize);
}

/** Runs a JSON-printing command (child process); its last stdout line is the result. */
function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv, label: string): Row[] {
  const res = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 30 * 60 * 1000, maxBuffer: 1 << 26 });
  const line = res.stdout?.trim().split("\n").at(-1);
  try {
    const parsed = JSON.parse(line ?? "");
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    const err = (res.stderr ?? String(res.error)).trim().split("\n").slice(-3).join(" | ");
    return [{ name: label, best: NaN, median: NaN, rounds: 0, loss: NaN, note: `failed: ${err}` }];
  }
}

function machine(): string {
  const info = keras.backend.info();
  const n = info.native;
  const native = n.loaded
    ? `native addon: oneDNN ${n.onednn} (${n.threadingRuntime}, ISA ${n.isa}), ${n.threads} threads, ${n.cores} cores`
    : `native addon not loaded (${n.error})`;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const omp = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"]
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `, ${k}=${process.env[k]}`)
    .join("");
  return `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, load average ${load}, Node ${process.version}\n${native}${omp}`;
}

const fmt = (x: number, w: number) => (Number.isFinite(x) ? x.toFixed(0) : "-").padStart(w);

async function main(): Promise<void> {
  if (process.argv.includes("--child")) {
    // TypeScript kernels (KERAS_TS_KERNELS=typescript set by the parent): one thread, slow.
    const r = await kerasRunner("keras-ts TypeScript kernels", null);
    console.log(JSON.stringify(await timeAll([r], Number(process.env.KERAS_TS_BENCH_TS_ROUNDS ?? 2))));
    return;
  }
  if (process.argv.includes("--profile")) {
    const threads = process.env.KERAS_TS_BENCH_THREADS;
    const r = await kerasRunner("keras-ts native", threads ? Number(threads) : null);
    const [row] = await timeAll([r], ROUNDS);
    console.log(`keras-ts native: ${row.best.toFixed(0)} samples/s best, ${row.median.toFixed(0)} median`);
    return;
  }

  console.log(machine());
  console.log(
    `LSTM(${UNITS}) over [${BATCH}, ${TIME}, ${FEATURES}] -> Dense(${CLASSES}, softmax), Adam, categorical cross-entropy; ` +
      `${BATCHES} batches of ${BATCH} per timed fit, best/median of ${ROUNDS} interleaved rounds`,
  );
  const cores = keras.backend.info().native.cores ?? 1;
  const runners: Runner[] = [];
  const data = makeData();
  if (keras.backend.info().native.loaded) {
    for (const t of [...new Set([cores, 2, 1])].sort((a, b) => b - a)) {
      runners.push(await kerasRunner(`keras-ts native, ${t} thread${t > 1 ? "s" : ""}`, t, data));
    }
  } else {
    runners.push(await kerasRunner("keras-ts (no native addon)", null, data));
  }
  const failed: Row[] = [];
  let tfVersion = "";
  if (process.env.KERAS_TS_BENCH_TFJS !== "0") {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    tfVersion = tf.version.tfjs;
    for (const backend of ["cpu", "wasm"]) {
      try {
        runners.push(await tfjsRunner(tf, backend, data));
      } catch (e) {
        failed.push({ name: `tfjs ${backend}`, best: NaN, median: NaN, rounds: 0, loss: NaN, note: `failed: ${e}` });
      }
    }
    await tf.setBackend("wasm").catch(() => false);
    if (tf.getBackend() === "wasm") {
      const env = tf.env();
      tfVersion += ` (wasm: SIMD ${env.getBool("WASM_HAS_SIMD_SUPPORT")}, threads ${env.getBool("WASM_HAS_MULTITHREAD_SUPPORT")})`;
    }
  }
  const rows = [...(await timeAll(runners, ROUNDS)), ...failed];
  keras.backend.setNumThreads(0);

  if (process.env.KERAS_TS_BENCH_TS !== "0") {
    process.stderr.write("TypeScript kernels (child process)...\n");
    rows.push(
      ...runJson(
        process.execPath,
        [...process.execArgv, here, "--child"],
        { ...process.env, KERAS_TS_KERNELS: "typescript" },
        "keras-ts TypeScript kernels",
      ),
    );
  }
  const python = process.env.KERAS_TS_BENCH_PYTHON ?? "/tmp/kenv/bin/python";
  if (process.env.KERAS_TS_BENCH_PEERS !== "0" && existsSync(python)) {
    process.stderr.write("Keras 3 / JAX (child process)...\n");
    const script = fileURLToPath(new URL("./peers/lstm_keras.py", import.meta.url));
    rows.push(
      ...runJson(
        python,
        [script, String(ROUNDS), String(BATCHES)],
        { ...process.env, KERAS_BACKEND: "jax" },
        "Keras 3 JAX",
      ),
    );
  }

  if (tfVersion) console.log(`tfjs ${tfVersion}`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  // The reference: the fastest keras-ts native thread setting (its best round).
  const ref = rows
    .filter((r) => r.name.startsWith("keras-ts") && Number.isFinite(r.best))
    .reduce((a, b) => (b.best > a.best ? b : a), rows[0]);
  console.log(`samples/s (best and median round); ratio: ${ref.name} (best) ÷ this row (best)`);
  console.log("| configuration | best | median | rounds | keras-ts ÷ this | last loss |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const ratio = Number.isFinite(r.best) ? `${(ref.best / r.best).toFixed(2)}x` : "-";
    const loss = Number.isFinite(r.loss) ? r.loss.toFixed(3) : "-";
    console.log(
      `| ${r.name} | ${fmt(r.best, 5)} | ${fmt(r.median, 5)} | ${r.rounds} | ${ratio} | ${loss} |${r.note ? ` ${r.note}` : ""}`,
    );
  }
}

await main();
