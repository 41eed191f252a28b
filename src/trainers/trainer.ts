import { GradientTape } from "../autodiff/tape.js";
import { Tensor } from "../backend/tensor.js";
import { type Variable, variablesCreated } from "../backend/variable.js";
import type { Callback, Logs } from "../callbacks/callback.js";
import { CallbackList } from "../callbacks/callback_list.js";
import type { History } from "../callbacks/history.js";
import { isLeafValue, Layer } from "../layers/layer.js";
import type { Metric } from "../metrics/metric.js";
import { Mean } from "../metrics/reduction_metrics.js";
import { add } from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import type { AnyTensor } from "../ops/types.js";
import * as optimizers from "../optimizers/index.js";
import { uniform } from "../random/index.js";
import { flatten, type Nested, packSequenceAs } from "../tree/index.js";
import { concatRows } from "../utils/batching.js";
import { CompileLoss, CompileMetrics, type LossConfig, type MetricsConfig } from "./compile_utils.js";
import {
  ArrayDataAdapter,
  type Batch,
  type BatchSource,
  batchLength,
  isBatchSource,
  type ModelData,
  splitForValidation,
  toTensors,
  unpackBatch,
} from "./data_adapter.js";
import { type Gradients, StepTracer, stepTraceable } from "./step_trace.js";

export interface CompileArgs {
  /** An optimizer or its name (Keras's default: "rmsprop"). */
  optimizer?: optimizers.OptimizerIdentifier;
  /** A loss (name, function returning per-sample values, or Loss), or one per output (array or object). */
  loss?: LossConfig;
  lossWeights?: readonly number[] | Record<string, number>;
  metrics?: MetricsConfig;
  weightedMetrics?: MetricsConfig;
  /**
   * Run every step op by op, never from a trace (Keras's `run_eagerly`; default false): for
   * debugging a step with breakpoints or logging inside layers.
   */
  runEagerly?: boolean;
  /**
   * Replay the built-in training step from a verified kernel trace (Keras's `jit_compile`; default
   * "auto"): models whose step is the same kernels for every batch (built-in deterministic layers,
   * losses and regularizers) skip the per-op JavaScript after their second batch of a shape. false
   * turns it off; other models always run eagerly.
   */
  jitCompile?: boolean | "auto";
}

export interface FitOptions {
  batchSize?: number;
  epochs?: number;
  verbose?: 0 | 1 | 2 | "auto";
  callbacks?: Callback[];
  validationSplit?: number;
  validationData?: readonly [ModelData, ModelData, ModelData?] | BatchSource;
  shuffle?: boolean | "batch";
  /** Weights per class index, turned into sample weights from the targets. */
  classWeight?: Record<number, number>;
  sampleWeight?: ModelData;
  initialEpoch?: number;
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  validationFreq?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | "auto";
  sampleWeight?: ModelData;
  steps?: number;
  callbacks?: Callback[];
  returnDict?: boolean;
}

export interface PredictOptions {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | "auto";
  steps?: number;
}

/** What a training step receives: `[x, y, sampleWeight]`. */
export type StepData = Batch;

/**
 * The training half of Model (Keras's Trainer): compile, fit, evaluate, predict and the step
 * functions a subclass may override (`trainStep`, `testStep`, `predictStep`, `computeLoss`).
 */
export class Trainer extends Layer {
  declare optimizer: optimizers.Optimizer | null;
  declare compiled: boolean;
  declare stopTraining: boolean;
  declare history: History | null;
  /** @internal */
  declare _compileLoss: CompileLoss | null;
  /** @internal */
  declare _compileMetrics: CompileMetrics | null;
  /** @internal */
  declare _lossTracker: Mean;
  /** @internal */
  declare _compileArgs: CompileArgs | null;
  /** @internal Set by BackupAndRestore in onTrainBegin: the epoch fit resumes at. */
  declare _initialEpoch: number | null;

  /** @internal `weights` as of a count of variables created (fit resets it; see stepVariables). */
  declare _weightsCache: { created: number; weights: Variable[] } | undefined;
  /** @internal The built-in step's traces (null: the step runs eagerly). */
  declare _stepTracer: StepTracer | null | undefined;

  /** Names of the outputs, as losses and metrics are keyed (overridden by Model). */
  get outputNames(): string[] {
    return ["output_0"];
  }

  private initTrainer(): void {
    if (this._lossTracker) return;
    this.optimizer = null;
    this.compiled = false;
    this.stopTraining = false;
    this.history = null;
    this._compileLoss = null;
    this._compileMetrics = null;
    this._lossTracker = new Mean({ name: "loss" });
    this._compileArgs = null;
  }

  /** Configures training: optimizer, loss(es), metrics. */
  compile(args: CompileArgs = {}): void {
    this.initTrainer();
    this.optimizer = optimizers.get(args.optimizer ?? "rmsprop");
    const names = this.outputNames;
    this._compileLoss =
      args.loss === undefined || args.loss === null ? null : new CompileLoss(args.loss, args.lossWeights, names);
    this._compileMetrics = new CompileMetrics(args.metrics, args.weightedMetrics, names);
    this._compileArgs = args;
    this._stepTracer = undefined;
    this._weightsCache = undefined;
    this.compiled = true;
  }

  /** Whether fit's built-in step may run from traces (Keras's `jit_compile`), as compiled. */
  get jitCompile(): boolean {
    const a = this._compileArgs;
    return a !== null && a !== undefined && a.jitCompile !== false && a.runEagerly !== true;
  }

  /** @internal Whether `layer` is a plain Sequential or functional model (Model overrides). */
  isPlainModel(_layer: Layer): boolean {
    return false;
  }

  /**
   * Every variable of the model and the trainable ones, for one step. Walking the layers for them
   * cost 0.2 ms per MLP step, so the list is kept until a variable is created anywhere (a layer
   * built in the first step) or fit starts again; which are trainable is read every step.
   */
  private stepVariables(): { all: Variable[]; trainable: Variable[] } {
    let cache = this._weightsCache;
    if (cache === undefined || cache.created !== variablesCreated()) {
      cache = this._weightsCache = { created: variablesCreated(), weights: this.weights };
    }
    const all = cache.weights;
    return { all, trainable: this.trainable ? all.filter((v) => v.trainable) : [] };
  }

  /** The tracer of the built-in step, or null where it must run eagerly (decided once per compile). */
  private stepTracer(): StepTracer | null {
    if (this._stepTracer === undefined) {
      const traceable =
        this.jitCompile &&
        this.computeLoss === Trainer.prototype.computeLoss &&
        stepTraceable(this, (l) => this.isPlainModel(l), this._compileLoss?.losses ?? []);
      this._stepTracer = traceable ? new StepTracer() : null;
    }
    return this._stepTracer;
  }

  /** The loss given to compile (a callback can read state it holds, such as BEGAN's k). */
  get loss(): LossConfig | undefined {
    return this._compileArgs?.loss ?? undefined;
  }

  /** The metrics whose results are logged: the loss tracker first, then per-output losses and compiled metrics. */
  get metrics(): Metric[] {
    this.initTrainer();
    return [this._lossTracker, ...(this._compileLoss?.trackers ?? []), ...(this._compileMetrics?.metrics ?? [])];
  }

  get metricsNames(): string[] {
    return this.metrics.map((m) => m.name);
  }

  resetMetrics(): void {
    for (const m of this.metrics) m.resetState();
  }

  private requireCompiled(what: string): void {
    if (!this.compiled) {
      throw new Error(
        `Model '${this.name}': you must call compile() before ${what}(), e.g. model.compile({ optimizer: "adam", loss: "mse" }).`,
      );
    }
  }

  // ------------------------------------------------------------------ steps

  /**
   * The loss of one batch: the compiled loss(es) plus every loss the layers added during the forward
   * pass (addLoss, activity and weight regularizers, model.addLoss terms).
   */
  computeLoss(args: {
    x?: Nested<Tensor>;
    y?: Nested<Tensor>;
    yPred: Nested<AnyTensor>;
    sampleWeight?: Nested<Tensor>;
    training?: boolean;
  }): Tensor {
    let total: AnyTensor | null = this._compileLoss
      ? this._compileLoss.call(args.y, args.yPred, args.sampleWeight)
      : null;
    for (const l of this.losses) {
      const term = l.size === 1 ? l : (sum(l) as Tensor);
      total = total === null ? term : add(total, term);
    }
    if (total === null) {
      throw new Error(
        `Model '${this.name}': there is no loss to minimize. Pass a loss to compile(), or add one with addLoss().`,
      );
    }
    return total as Tensor;
  }

  /** Updates the compiled metrics and returns the current results of all metrics. */
  computeMetrics(
    _x: Nested<Tensor> | undefined,
    y: Nested<Tensor> | undefined,
    yPred: Nested<AnyTensor>,
    sampleWeight: Nested<Tensor> | undefined,
  ): Logs {
    this._compileMetrics?.updateState(y, yPred, sampleWeight, this._compileLoss?.losses ?? []);
    return this.getMetricsResult();
  }

  /**
   * The epoch's figures: the metrics' results over every batch when the step's logs name the
   * model's metrics, else the last logs a custom step returned (as Keras decides).
   */
  private metricsResultOrLogs(logs: Logs): Logs {
    const names = new Set(this.metricsNames);
    const keys = Object.keys(logs);
    return keys.length > 0 && keys.every((k) => names.has(k)) ? this.getMetricsResult() : logs;
  }

  /** Every metric's current result, by name. */
  getMetricsResult(): Logs {
    const logs: Logs = {};
    for (const m of this.metrics) logs[m.name] = m.result().data[0];
    return logs;
  }

  /**
   * One optimization step on a batch (override for GANs and other custom training; fit() still runs
   * callbacks, metrics and the progress bar with whatever logs it returns).
   */
  trainStep(data: StepData): Logs | Promise<Logs> {
    const [x, y, sampleWeight] = data;
    const { all, trainable: vars } = this.stepVariables();
    const eager = ([x, y, sampleWeight]: readonly (Nested<Tensor> | undefined)[]): Gradients => {
      const tape = new GradientTape();
      let yPred: Nested<AnyTensor> = [];
      const loss = tape.record(() => {
        yPred = this.apply(x as Nested<AnyTensor>, { training: true });
        return this.computeLoss({ x, y, yPred, sampleWeight, training: true });
      });
      if (loss.size !== 1) {
        throw new Error(`Model '${this.name}': the loss must be a scalar, received shape [${loss.shape.join(", ")}].`);
      }
      return { loss, grads: tape.gradient(loss, vars), yPred };
    };
    const tracer = this.stepTracer();
    const { loss, grads, yPred } = tracer
      ? tracer.gradients([x, y, sampleWeight], vars, all, eager)
      : eager([x, y, sampleWeight]);
    this._lossTracker.updateState(loss, batchLength(x));
    const optimizer = this.optimizer as optimizers.Optimizer;
    // The gradients were made by this step; a built-in optimizer keeps none of them, so it may
    // write new values over them and recycle the rest (memory still in cache for the next step).
    if (optimizers.keepsNoGradients(optimizer)) optimizer.applyOwned(grads, vars);
    else optimizer.apply(grads, vars);
    return this.computeMetrics(x, y, yPred, sampleWeight);
  }

  /** One evaluation step: forward pass with training false, loss and metrics. */
  testStep(data: StepData): Logs | Promise<Logs> {
    const [x, y, sampleWeight] = data;
    const yPred = this.apply(x as Nested<AnyTensor>, { training: false });
    const loss = this.computeLoss({ x, y, yPred, sampleWeight, training: false });
    this._lossTracker.updateState(loss, batchLength(x));
    return this.computeMetrics(x, y, yPred, sampleWeight);
  }

  predictStep(data: StepData): Nested<Tensor> {
    return this.apply(data[0] as Nested<AnyTensor>, { training: false }) as Nested<Tensor>;
  }

  // ------------------------------------------------------------------ loops

  private adapter(
    x: ModelData | BatchSource,
    y: ModelData | undefined,
    sw: ModelData | undefined,
    opts: { batchSize?: number; shuffle?: boolean | "batch"; steps?: number; classWeight?: Record<number, number> },
    what: string,
  ): { steps?: number; batches: () => Iterable<Batch> | AsyncIterable<Batch> } {
    const owner = `Model '${this.name}'`;
    if (isBatchSource(x)) {
      if (y !== undefined) throw new Error(`${owner}.${what}: when x is an iterable of batches, y must not be given.`);
      return iterableBatches(x, owner, what, opts.steps);
    }
    const xt = toTensors(x as ModelData, owner, what);
    const yt = y === undefined ? undefined : toTensors(y, owner, what);
    let st = sw === undefined ? undefined : toTensors(sw, owner, what);
    if (opts.classWeight) st = classWeightsToSampleWeights(opts.classWeight, yt, st, `${owner}.${what}`);
    const a = new ArrayDataAdapter(xt, yt, st, {
      batchSize: opts.batchSize ?? 32,
      shuffle: opts.shuffle,
      steps: opts.steps,
      owner,
      what,
    });
    // Shuffles draw from keras.random's global generator, so keras.utils.setRandomSeed makes fit reproducible.
    const rng = () => {
      const u = uniform([Math.max(1, a.numSamples)], { dtype: "float64" }).data;
      let i = 0;
      return () => u[i++ % u.length];
    };
    return { steps: a.steps, batches: () => a.batches(rng()) };
  }

  /** Trains for a number of epochs; returns the History (also kept as `model.history`). */
  async fit(x: ModelData | BatchSource, y?: ModelData, options: FitOptions = {}): Promise<History> {
    this.requireCompiled("fit");
    this._weightsCache = undefined;
    const epochs = options.epochs ?? 1;
    const verbose = options.verbose === "auto" || options.verbose === undefined ? 1 : options.verbose;
    let trainX: ModelData | BatchSource = x;
    let trainY = y;
    let trainSW = options.sampleWeight;
    let validation: Batch | BatchSource | null = null;
    const where = `Model '${this.name}'.fit`;
    if (options.validationSplit && options.validationSplit > 0) {
      if (isBatchSource(x)) throw new Error(`${where}: validationSplit needs array data, not an iterable of batches.`);
      const xt = toTensors(x as ModelData, `Model '${this.name}'`, "fit");
      const yt = y === undefined ? undefined : toTensors(y, `Model '${this.name}'`, "fit");
      const st = trainSW === undefined ? undefined : toTensors(trainSW, `Model '${this.name}'`, "fit");
      const [tr, va] = splitForValidation(xt, yt, st, options.validationSplit, where);
      [trainX, trainY, trainSW] = tr as unknown as [ModelData, ModelData, ModelData];
      validation = va;
    }
    if (options.validationData) {
      const v = options.validationData;
      validation = isBatchSource(v) ? v : unpackBatch(v as never, `Model '${this.name}'`, "fit");
    }
    const data = this.adapter(
      trainX,
      trainY,
      trainSW,
      {
        batchSize: options.batchSize,
        shuffle: options.shuffle ?? true,
        steps: options.stepsPerEpoch,
        classWeight: options.classWeight,
      },
      "fit",
    );
    const callbacks = new CallbackList(options.callbacks ?? [], {
      addHistory: true,
      addProgbar: verbose !== 0,
      model: this,
      epochs,
      steps: data.steps,
      verbose,
    });
    this.stopTraining = false;
    await callbacks.onTrainBegin();
    let logs: Logs = {};
    let epochLogs: Logs = {};
    // A callback restoring an interrupted run (BackupAndRestore) sets where to resume, as in Keras.
    const initialEpoch = this._initialEpoch ?? options.initialEpoch ?? 0;
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      this.resetMetrics();
      await callbacks.onEpochBegin(epoch);
      let step = 0;
      for await (const batch of data.batches()) {
        await callbacks.onTrainBatchBegin(step);
        logs = toLogs(await this.trainStep(batch));
        await callbacks.onTrainBatchEnd(step, logs);
        step++;
        if (this.stopTraining) break;
      }
      epochLogs = this.metricsResultOrLogs(logs);
      const freq = options.validationFreq ?? 1;
      if (validation && (epoch + 1) % freq === 0) {
        const valLogs = await this.evaluateData(
          validation,
          { batchSize: options.validationBatchSize ?? options.batchSize, steps: options.validationSteps },
          null,
        );
        for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
      }
      await callbacks.onEpochEnd(epoch, epochLogs);
      if (this.stopTraining) break;
    }
    (this.optimizer as optimizers.Optimizer).finalizeVariableValues?.(this.trainableWeights);
    await callbacks.onTrainEnd(epochLogs);
    this.history = callbacks.history;
    return callbacks.history as History;
  }

  private async evaluateData(
    data: Batch | BatchSource,
    opts: { batchSize?: number; steps?: number },
    callbacks: CallbackList | null,
  ): Promise<Logs> {
    const source = Array.isArray(data)
      ? this.adapter(
          data[0] as never,
          data[1] as never,
          data[2] as never,
          { batchSize: opts.batchSize, steps: opts.steps },
          "evaluate",
        )
      : this.adapter(data as BatchSource, undefined, undefined, { steps: opts.steps }, "evaluate");
    this.resetMetrics();
    callbacks?.setParams({ ...callbacks.params, steps: source.steps });
    await callbacks?.onTestBegin();
    let step = 0;
    let logs: Logs = {};
    for await (const batch of source.batches()) {
      await callbacks?.onTestBatchBegin(step);
      logs = toLogs(await this.testStep(batch));
      await callbacks?.onTestBatchEnd(step, logs);
      step++;
    }
    logs = this.metricsResultOrLogs(logs);
    await callbacks?.onTestEnd(logs);
    return logs;
  }

  /**
   * Loss and metrics over the data, computed over every sample (not averaged per batch). Returns the
   * loss alone when there are no metrics, `[loss, ...metrics]` otherwise, or a dict with `returnDict`.
   */
  async evaluate(
    x: ModelData | BatchSource,
    y?: ModelData,
    options: EvaluateOptions = {},
  ): Promise<number | number[] | Logs> {
    this.requireCompiled("evaluate");
    const verbose = options.verbose === "auto" || options.verbose === undefined ? 1 : options.verbose;
    const batch: Batch | BatchSource = isBatchSource(x) ? x : [x as never, y as never, options.sampleWeight as never];
    const callbacks = new CallbackList(options.callbacks ?? [], {
      model: this,
      verbose,
      addProgbar: verbose !== 0,
      epochs: 1,
    });
    const logs = await this.evaluateData(batch, { batchSize: options.batchSize, steps: options.steps }, callbacks);
    if (options.returnDict) return logs;
    const values = this.metricsNames.map((n) => logs[n]).filter((v) => v !== undefined);
    return values.length === 1 ? values[0] : values;
  }

  /** Outputs for the data in batches (training false), joined along the batch axis, in the outputs' structure. */
  predict(x: ModelData, options: PredictOptions = {}): Nested<Tensor> {
    const data = this.adapter(
      x,
      undefined,
      undefined,
      { batchSize: options.batchSize ?? 32, steps: options.steps },
      "predict",
    );
    const batches = data.batches();
    if (!(Symbol.iterator in batches))
      throw new Error(`Model '${this.name}'.predict: use predictAsync for async iterables.`);
    let structure: Nested<Tensor> | null = null;
    const collected: Tensor[][] = [];
    for (const batch of batches as Iterable<Batch>) {
      const out = this.predictStep(batch);
      structure ??= out;
      for (const [i, t] of (flatten(out, isLeafValue) as Tensor[]).entries()) (collected[i] ??= []).push(t);
    }
    if (structure === null) throw new Error(`Model '${this.name}'.predict: the input data has no samples.`);
    return packSequenceAs(structure, collected.map(concatRows), isLeafValue) as Nested<Tensor>;
  }

  /** A single gradient update on one batch; returns the loss (and metrics). */
  trainOnBatch(
    x: ModelData,
    y?: ModelData,
    options: { sampleWeight?: ModelData; classWeight?: Record<number, number>; returnDict?: boolean } = {},
  ): number | number[] | Logs {
    this.requireCompiled("trainOnBatch");
    this.resetMetrics();
    const owner = `Model '${this.name}'`;
    const xt = toTensors(x, owner, "trainOnBatch");
    const yt = y === undefined ? undefined : toTensors(y, owner, "trainOnBatch");
    let st = options.sampleWeight === undefined ? undefined : toTensors(options.sampleWeight, owner, "trainOnBatch");
    if (options.classWeight) st = classWeightsToSampleWeights(options.classWeight, yt, st, `${owner}.trainOnBatch`);
    const logs = this.trainStep([xt, yt, st]);
    if (logs instanceof Promise)
      throw new Error(`${owner}.trainOnBatch: trainStep returned a Promise; use fit() for async steps.`);
    return this.formatLogs(toLogs(logs), options.returnDict);
  }

  /** Loss (and metrics) on one batch, training false. */
  testOnBatch(x: ModelData, y?: ModelData, options: { sampleWeight?: ModelData; returnDict?: boolean } = {}) {
    this.requireCompiled("testOnBatch");
    this.resetMetrics();
    const owner = `Model '${this.name}'`;
    const st = options.sampleWeight === undefined ? undefined : toTensors(options.sampleWeight, owner, "testOnBatch");
    const logs = this.testStep([
      toTensors(x, owner, "testOnBatch"),
      y === undefined ? undefined : toTensors(y, owner, "testOnBatch"),
      st,
    ]);
    if (logs instanceof Promise) throw new Error(`${owner}.testOnBatch: testStep returned a Promise; use evaluate().`);
    return this.formatLogs(toLogs(logs), options.returnDict);
  }

  /** Outputs for one batch, training false. */
  predictOnBatch(x: ModelData): Nested<Tensor> {
    return this.predictStep([toTensors(x, `Model '${this.name}'`, "predictOnBatch"), undefined, undefined]);
  }

  private formatLogs(logs: Logs, returnDict?: boolean): number | number[] | Logs {
    if (returnDict) return logs;
    const values = this.metricsNames.map((n) => logs[n]).filter((v) => v !== undefined);
    return values.length === 1 ? values[0] : values;
  }
}

/** Logs as plain numbers (a step may return tensors). */
function toLogs(logs: Logs | Record<string, Tensor | number>): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(logs)) out[k] = v instanceof Tensor ? (v.data[0] as number) : (v as number);
  return out;
}

/** Batches from a user's iterable: re-iterated each epoch, or read `steps` at a time from one iterator. */
function iterableBatches(
  source: BatchSource,
  owner: string,
  what: string,
  steps: number | undefined,
): { steps?: number; batches: () => AsyncIterable<Batch> } {
  let shared: AsyncIterator<unknown> | Iterator<unknown> | null = null;
  const open = () =>
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (source as Iterable<unknown>)[Symbol.iterator]();
  return {
    steps,
    batches: async function* () {
      const it = steps === undefined ? open() : (shared ??= open());
      for (let i = 0; steps === undefined || i < steps; i++) {
        const r = await it.next();
        if (r.done) {
          if (steps !== undefined) shared = null;
          return;
        }
        yield unpackBatch(r.value as never, owner, what);
      }
    },
  };
}

/** Sample weights from class weights: each sample weighs its class's weight (class from the label or argmax). */
function classWeightsToSampleWeights(
  classWeight: Record<number, number>,
  y: Nested<Tensor> | undefined,
  sw: Nested<Tensor> | undefined,
  where: string,
): Nested<Tensor> {
  const ys = y === undefined ? [] : (flatten(y, isLeafValue) as Tensor[]);
  if (ys.length !== 1) throw new Error(`${where}: classWeight is supported for models with exactly one output.`);
  const t = ys[0];
  const n = t.shape[0];
  const perSample = t.size / n;
  const out = Tensor.empty([n], "float32");
  for (let i = 0; i < n; i++) {
    let cls: number;
    if (perSample === 1) cls = Math.round(t.data[i]);
    else {
      cls = 0;
      for (let j = 1; j < perSample; j++) if (t.data[i * perSample + j] > t.data[i * perSample + cls]) cls = j;
    }
    const w = classWeight[cls];
    out.data[i] = w === undefined ? 1 : w;
  }
  if (sw !== undefined) {
    const s = (flatten(sw, isLeafValue) as Tensor[])[0];
    for (let i = 0; i < n; i++) out.data[i] *= s.data[i];
  }
  return out;
}
