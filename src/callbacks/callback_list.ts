import { Callback, type CallbackParams, type Logs, type TrainedModel } from "./callback.js";
import { History } from "./history.js";
import { ProgbarLogger } from "./progbar_logger.js";

export interface CallbackListOptions extends CallbackParams {
  addHistory?: boolean;
  addProgbar?: boolean;
  model?: TrainedModel;
}

/** Calls every callback's hook in order (Keras's CallbackList), adding History and the progress bar. */
export class CallbackList extends Callback {
  readonly callbacks: Callback[];
  history: History | null = null;

  constructor(callbacks: readonly Callback[] = [], options: CallbackListOptions = {}) {
    super();
    this.callbacks = callbacks.slice();
    if (options.addProgbar && !this.callbacks.some((c) => c instanceof ProgbarLogger)) {
      this.callbacks.push(new ProgbarLogger());
    }
    if (options.addHistory) {
      this.history = this.callbacks.find((c): c is History => c instanceof History) ?? new History();
      if (!this.callbacks.includes(this.history)) this.callbacks.push(this.history);
    }
    if (options.model) this.setModel(options.model);
    this.setParams({ epochs: options.epochs, steps: options.steps, verbose: options.verbose });
  }

  override setModel(model: TrainedModel): void {
    super.setModel(model);
    for (const c of this.callbacks) c.setModel(model);
  }

  override setParams(params: CallbackParams): void {
    super.setParams(params);
    for (const c of this.callbacks) c.setParams(params);
  }

  private async each(fn: (c: Callback) => void | Promise<void>): Promise<void> {
    for (const c of this.callbacks) await fn(c);
  }

  override onTrainBegin(logs?: Logs) {
    return this.each((c) => c.onTrainBegin(logs));
  }
  override onTrainEnd(logs?: Logs) {
    return this.each((c) => c.onTrainEnd(logs));
  }
  override onEpochBegin(epoch: number, logs?: Logs) {
    return this.each((c) => c.onEpochBegin(epoch, logs));
  }
  override onEpochEnd(epoch: number, logs?: Logs) {
    return this.each((c) => c.onEpochEnd(epoch, logs));
  }
  override onTrainBatchBegin(batch: number, logs?: Logs) {
    return this.each((c) => c.onTrainBatchBegin(batch, logs));
  }
  override onTrainBatchEnd(batch: number, logs?: Logs) {
    return this.each((c) => c.onTrainBatchEnd(batch, logs));
  }
  override onTestBegin(logs?: Logs) {
    return this.each((c) => c.onTestBegin(logs));
  }
  override onTestEnd(logs?: Logs) {
    return this.each((c) => c.onTestEnd(logs));
  }
  override onTestBatchBegin(batch: number, logs?: Logs) {
    return this.each((c) => c.onTestBatchBegin(batch, logs));
  }
  override onTestBatchEnd(batch: number, logs?: Logs) {
    return this.each((c) => c.onTestBatchEnd(batch, logs));
  }
  override onPredictBegin(logs?: Logs) {
    return this.each((c) => c.onPredictBegin(logs));
  }
  override onPredictEnd(logs?: Logs) {
    return this.each((c) => c.onPredictEnd(logs));
  }
  override onPredictBatchBegin(batch: number, logs?: Logs) {
    return this.each((c) => c.onPredictBatchBegin(batch, logs));
  }
  override onPredictBatchEnd(batch: number, logs?: Logs) {
    return this.each((c) => c.onPredictBatchEnd(batch, logs));
  }
}
