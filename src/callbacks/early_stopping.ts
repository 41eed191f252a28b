import type { Tensor } from "../backend/tensor.js";
import type { Logs } from "./callback.js";
import { type PrintFn, printMsg } from "./io.js";
import { MonitorCallback, type MonitorMode } from "./monitor_callback.js";

export interface EarlyStoppingOptions {
  /** The logged quantity to watch ("val_loss"). */
  monitor?: string;
  /** Smaller changes than this do not count as improvement (0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (0). */
  patience?: number;
  /** 1 prints when it stops and restores (0). */
  verbose?: number;
  mode?: MonitorMode;
  /** Training stops unless the quantity beats this value (within `patience` epochs). */
  baseline?: number | null;
  /** At the end of training, restore the weights of the best epoch (false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring starts (0). */
  startFromEpoch?: number;
  printFn?: PrintFn;
}

/** Stops training when the monitored quantity has stopped improving (Keras's EarlyStopping). */
export class EarlyStopping extends MonitorCallback {
  patience: number;
  verbose: number;
  baseline: number | null;
  wait = 0;
  stoppedEpoch = 0;
  restoreBestWeights: boolean;
  bestWeights: Tensor[] | null = null;
  bestEpoch = 0;
  startFromEpoch: number;
  private readonly print: PrintFn;

  constructor(options: EarlyStoppingOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", null, options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    this.verbose = options.verbose ?? 0;
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = options.startFromEpoch ?? 0;
    this.print = options.printFn ?? printMsg;
  }

  override onTrainBegin(): void {
    // Instances may be reused across fit() calls.
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    if (this.monitorOp === null) this.setMonitorOp();
    const current = this.monitorValue(logs, "Early stopping");
    if (current === undefined || epoch < this.startFromEpoch) return;
    const model = this.model!;
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Nothing better seen yet: the current weights are the best.
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // Restart the wait only when beating both the baseline and the previous best.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) this.print(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) {
        this.print(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      }
      this.model!.setWeights(this.bestWeights);
    }
  }
}
