import type { CallbackOptimizer, Logs } from "./callback.js";
import { pyFloatRepr } from "./format.js";
import { type PrintFn, printMsg } from "./io.js";
import { logLearningRates, optimizersOf } from "./learning_rate.js";
import { MonitorCallback, type MonitorMode } from "./monitor_callback.js";

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New rate = rate * factor (0.1); must be below 1. */
  factor?: number;
  /** Epochs without improvement before reducing (10). */
  patience?: number;
  verbose?: number;
  mode?: MonitorMode;
  /** Threshold for a new optimum (1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (0). */
  cooldown?: number;
  /** Lower bound on the rate (0). */
  minLr?: number;
  printFn?: PrintFn;
}

/** Reduces the learning rate when the monitored quantity has stopped improving (Keras's ReduceLROnPlateau). */
export class ReduceLROnPlateau extends MonitorCallback {
  factor: number;
  minLr: number;
  patience: number;
  verbose: number;
  cooldown: number;
  cooldownCounter = 0;
  wait = 0;
  private readonly print: PrintFn;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", null, options.minDelta ?? 1e-4);
    const factor = options.factor ?? 0.1;
    if (factor >= 1.0) {
      throw new Error(`ReduceLROnPlateau does not support a factor >= 1.0. Received factor=${factor}`);
    }
    this.factor = factor;
    this.minLr = options.minLr ?? 0;
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? 0;
    this.cooldown = options.cooldown ?? 0;
    this.print = options.printFn ?? printMsg;
  }

  private reset(): void {
    this.best = null;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override onTrainBegin(): void {
    this.reset();
  }

  private reduce(opt: CallbackOptimizer, epoch: number, name: string): boolean {
    const oldLr = Number(opt.learningRate);
    // Keras compares with min_lr in float32, as the rate is stored.
    if (!(oldLr > Math.fround(this.minLr))) return false;
    const newLr = Math.max(oldLr * this.factor, this.minLr);
    opt.learningRate = newLr;
    if (this.verbose > 0) {
      this.print(
        `\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing${name ? ` ${name}` : ""} learning rate to ${pyFloatRepr(newLr)}.`,
      );
    }
    return true;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.monitorOp === null) this.setMonitorOp();
    logLearningRates(this.model, logs, "ReduceLROnPlateau");
    const current = this.monitorValue(logs, "Learning rate reduction is");
    if (current === undefined) return;
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (!this.inCooldown()) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const multi = (this.model?.optimizer as CallbackOptimizer | null)?.optimizers !== undefined;
        let reduced = false;
        for (const opt of optimizersOf(this.model, "ReduceLROnPlateau")) {
          if (this.reduce(opt, epoch, multi ? (opt.name ?? "") : "")) reduced = true;
        }
        if (reduced) {
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}
