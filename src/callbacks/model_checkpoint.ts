import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Logs, TrainedModel } from "./callback.js";
import { type FormatValue, formatFixed, pyFormat } from "./format.js";
import { type PrintFn, printMsg, warnOnce } from "./io.js";
import { MonitorCallback, type MonitorMode } from "./monitor_callback.js";

export interface ModelCheckpointOptions {
  monitor?: string;
  verbose?: number;
  /** Save only when the monitored quantity improves (false). */
  saveBestOnly?: boolean;
  /** model.saveWeights instead of model.save (false). */
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** "epoch", or save every this many batches. */
  saveFreq?: "epoch" | number;
  /** With saveBestOnly: the value to beat before the first save. */
  initialValueThreshold?: number | null;
  printFn?: PrintFn;
}

/**
 * Saves the model or its weights during training (Keras's ModelCheckpoint). `filepath` may hold
 * Python-style placeholders filled from the epoch (1-based), the batch and the logs:
 * `"ckpt/weights.{epoch:02d}-{val_loss:.2f}.weights.h5"`.
 */
export class ModelCheckpoint extends MonitorCallback {
  verbose: number;
  filepath: string;
  saveBestOnly: boolean;
  saveWeightsOnly: boolean;
  saveFreq: "epoch" | number;
  private batchesSeenSinceLastSaving = 0;
  private lastBatchSeen: number | null = null;
  private currentEpoch = 0;
  private readonly print: PrintFn;

  constructor(filepath: string, options: ModelCheckpointOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", options.initialValueThreshold ?? null);
    this.verbose = options.verbose ?? 0;
    this.filepath = filepath;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.saveFreq = options.saveFreq ?? "epoch";
    this.print = options.printFn ?? printMsg;
    if (this.saveFreq !== "epoch" && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new Error(
        `ModelCheckpoint: unrecognized saveFreq: ${String(this.saveFreq)}. Expected "epoch" or a positive integer.`,
      );
    }
    if (this.saveWeightsOnly) {
      if (!filepath.endsWith(".weights.h5")) {
        throw new Error(
          `ModelCheckpoint: when using \`saveWeightsOnly: true\`, the filepath must end in \`.weights.h5\` (Keras weights format). Received: filepath=${filepath}`,
        );
      }
    } else if (!filepath.endsWith(".keras") && !filepath.endsWith(".h5")) {
      throw new Error(
        `ModelCheckpoint: the filepath must end in \`.keras\` (Keras model format). Received: filepath=${filepath}`,
      );
    }
  }

  override onTrainBegin(): void {
    // Fail before training rather than after the first epoch.
    this.saver(this.model!);
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> | void {
    if (this.shouldSaveOnBatch(batch)) return this.saveModel(this.currentEpoch, batch, logs);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override onEpochEnd(epoch: number, logs?: Logs): Promise<void> | void {
    if (this.monitorOp === null) this.setMonitorOp();
    if (this.saveFreq === "epoch") return this.saveModel(epoch, null, logs);
  }

  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === "epoch") return false;
    const add = this.lastBatchSeen === null || batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSeenSinceLastSaving += add;
    this.lastBatchSeen = batch;
    if (this.batchesSeenSinceLastSaving >= this.saveFreq) {
      this.batchesSeenSinceLastSaving = 0;
      return true;
    }
    return false;
  }

  private shouldSaveModel(epoch: number, logs: Logs, filepath: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) this.print(`\nEpoch ${epoch + 1}: saving model to ${filepath}`);
      return true;
    }
    const current = logs[this.monitor];
    if (current === undefined) {
      warnOnce(`Can save best model only with ${this.monitor} available.`);
      return true;
    }
    if (this.monitorOp === null) this.setMonitorOp();
    const bestStr = this.best === null ? "None" : formatFixed(this.best, 5);
    if (this.isImprovement(current, this.best)) {
      if (this.verbose > 0) {
        this.print(
          `\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestStr} to ${formatFixed(current, 5)}, saving model to ${filepath}`,
        );
      }
      this.best = current;
      return true;
    }
    if (this.verbose > 0) this.print(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestStr}`);
    return false;
  }

  /** model.save / model.saveWeights, or a clear error while the model cannot save. */
  private saver(model: TrainedModel): (path: string) => unknown {
    const method = this.saveWeightsOnly ? "saveWeights" : "save";
    const fn = model[method];
    if (typeof fn !== "function") {
      throw new Error(
        `ModelCheckpoint: model '${model.name}' has no ${method}() method, so ModelCheckpoint cannot write ${this.filepath}. keras-ts models get it from the saving module (import "keras-ts", or its saving module).`,
      );
    }
    return (path) => fn.call(model, path, { overwrite: true });
  }

  private async saveModel(epoch: number, batch: number | null, logs: Logs = {}): Promise<void> {
    const filepath = this.getFilePath(epoch, batch, logs);
    if (!this.shouldSaveModel(epoch, logs, filepath)) return;
    if (existsSync(filepath) && statSync(filepath).isDirectory()) {
      throw new Error(
        `ModelCheckpoint: please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: ${filepath}`,
      );
    }
    const dir = dirname(filepath);
    if (dir && !existsSync(dir)) mkdirSync(dir, { recursive: true });
    await this.saver(this.model!)(filepath);
    if (this.verbose > 0) this.print(`\nEpoch ${epoch + 1}: finished saving model to ${filepath}`);
  }

  /** The filepath with `{epoch}`, `{batch}` and log placeholders filled in (epoch and batch 1-based). */
  getFilePath(epoch: number, batch: number | null, logs: Logs = {}): string {
    const values: Record<string, FormatValue> = {};
    for (const [k, v] of Object.entries(logs)) values[k] = { value: v, isInt: false };
    values.epoch = { value: epoch + 1, isInt: true };
    if (batch !== null && !("batch" in logs)) values.batch = { value: batch + 1, isInt: true };
    try {
      return pyFormat(this.filepath, values);
    } catch (e) {
      throw new Error(
        `ModelCheckpoint: failed to format this callback filepath: "${this.filepath}". Reason: ${(e as Error).message}`,
      );
    }
  }
}
