import { Callback, type CallbackParams, type Logs } from "./callback.js";
import { type OutputStream, stdoutStream } from "./io.js";
import { Progbar, type ProgbarOptions } from "./progbar.js";

export interface ProgbarLoggerOptions extends Pick<ProgbarOptions, "dynamicDisplay" | "colors" | "now"> {
  /** Where the bar and the "Epoch 1/5" lines go (process.stdout by default). */
  stream?: OutputStream;
}

/**
 * Prints "Epoch 1/5" and a progress bar per epoch (Keras's ProgbarLogger); fit() adds one unless
 * verbose is 0. Inside fit, validation is silent; evaluate and predict show their own bar.
 */
export class ProgbarLogger extends Callback {
  seen = 0;
  progbar: Progbar | null = null;
  target: number | null = null;
  verbose = 1;
  epochs = 1;
  private calledInFit = false;
  private readonly options: ProgbarLoggerOptions;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    this.options = options;
  }

  override setParams(params: CallbackParams): void {
    super.setParams(params);
    const v = params.verbose as number | "auto" | undefined;
    this.verbose = v === "auto" || v === undefined ? 1 : v;
    this.epochs = params.epochs ?? 1;
    this.target = params.steps ?? null;
  }

  override onTrainBegin(): void {
    this.calledInFit = true;
  }

  override onTestBegin(): void {
    if (!this.calledInFit) {
      this.resetProgbar();
      this.maybeInitProgbar();
    }
  }

  override onPredictBegin(): void {
    this.resetProgbar();
    this.maybeInitProgbar();
  }

  override onEpochBegin(epoch: number): void {
    this.resetProgbar();
    this.maybeInitProgbar();
    if (this.verbose && this.epochs > 1) this.stream().write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    this.updateProgbar(batch, logs);
  }

  override onTestBatchEnd(batch: number, logs?: Logs): void {
    if (!this.calledInFit) this.updateProgbar(batch, logs);
  }

  override onPredictBatchEnd(batch: number): void {
    this.updateProgbar(batch, undefined);
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    this.finalizeProgbar(logs);
  }

  override onTestEnd(logs?: Logs): void {
    if (!this.calledInFit) this.finalizeProgbar(logs);
  }

  override onPredictEnd(logs?: Logs): void {
    this.finalizeProgbar(logs);
  }

  private stream(): OutputStream {
    return this.options.stream ?? stdoutStream();
  }

  private resetProgbar(): void {
    this.seen = 0;
    this.progbar = null;
  }

  private maybeInitProgbar(): Progbar {
    this.progbar ??= new Progbar(this.target, {
      verbose: this.verbose,
      unitName: "step",
      stream: this.stream(),
      dynamicDisplay: this.options.dynamicDisplay,
      colors: this.options.colors,
      now: this.options.now,
    });
    return this.progbar;
  }

  private updateProgbar(batch: number, logs: Logs = {}): void {
    const bar = this.maybeInitProgbar();
    this.seen = batch + 1; // one-indexed
    if (this.verbose === 1) bar.update(this.seen, Object.entries(logs), false);
  }

  private finalizeProgbar(logs: Logs = {}): void {
    const bar = this.maybeInitProgbar();
    if (this.target === null) {
      // Unknown length: the first epoch counts the steps, the next ones show a full bar.
      this.target = this.seen;
      bar.target = this.target;
    }
    bar.update(this.target, Object.entries(logs), true);
  }
}
