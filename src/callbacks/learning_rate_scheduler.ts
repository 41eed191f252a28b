import { Callback, type CallbackOptimizer, type Logs } from "./callback.js";
import { pyFloatRepr } from "./format.js";
import { type PrintFn, printMsg } from "./io.js";
import { logLearningRates, optimizersOf } from "./learning_rate.js";

/** A function of the epoch index (from 0) and the current rate, returning the new rate. */
export type LearningRateSchedule = (epoch: number, learningRate: number) => number;

/** Sets the learning rate at the start of each epoch from `schedule(epoch, lr)` (Keras's LearningRateScheduler). */
export class LearningRateScheduler extends Callback {
  schedule: LearningRateSchedule;
  verbose: number;
  private readonly print: PrintFn;

  constructor(schedule: LearningRateSchedule, verbose = 0, options: { printFn?: PrintFn } = {}) {
    super();
    if (typeof schedule !== "function") {
      throw new Error(
        `LearningRateScheduler: schedule must be a function (epoch, lr) => lr, received ${String(schedule)}.`,
      );
    }
    this.schedule = schedule;
    this.verbose = verbose;
    this.print = options.printFn ?? printMsg;
  }

  private update(opt: CallbackOptimizer, epoch: number): number {
    if (!("learningRate" in opt))
      throw new Error('LearningRateScheduler: the optimizer must have a "learningRate" attribute.');
    const lr = this.schedule(epoch, Number(opt.learningRate));
    if (typeof lr !== "number" || Number.isNaN(lr)) {
      throw new Error(
        `LearningRateScheduler: the output of the \`schedule\` function should be a number. Got: ${String(lr)}`,
      );
    }
    opt.learningRate = lr;
    return lr;
  }

  override onEpochBegin(epoch: number): void {
    const multi = (this.model?.optimizer as CallbackOptimizer | null)?.optimizers !== undefined;
    for (const opt of optimizersOf(this.model, "LearningRateScheduler")) {
      const lr = this.update(opt, epoch);
      if (this.verbose > 0) {
        const who = multi ? `${opt.name} learning rate` : "learning rate";
        this.print(`\nEpoch ${epoch + 1}: LearningRateScheduler setting ${who} to ${pyFloatRepr(lr)}.`);
      }
    }
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    logLearningRates(this.model, logs, "LearningRateScheduler");
  }
}
