import type { Tensor } from "../backend/tensor.js";

export type Logs = Record<string, number>;

/** What callbacks use of an optimizer (keras.optimizers.Optimizer has it). */
export interface CallbackOptimizer {
  name?: string;
  /** Read and set by ReduceLROnPlateau and LearningRateScheduler. */
  learningRate: number;
  /** Its state (slots, iterations): TerminateOnNaN restores them with the weights. */
  variables?: readonly { peek(): Tensor; assign(value: Tensor): unknown }[];
  /** Several optimizers in one (each gets its own learning rate). */
  optimizers?: readonly CallbackOptimizer[];
}

/** What callbacks may use of the model being trained (the trainer implements it). */
export interface TrainedModel {
  name: string;
  /** Set to true to end fit() after the current batch (and epoch). */
  stopTraining: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the optimizer type lives above callbacks (see CallbackOptimizer).
  optimizer: any;
  /** Every weight's value (tensors are immutable, so these are cheap snapshots). */
  getWeights(): Tensor[];
  setWeights(values: Tensor[]): void;
  /** The metrics logged; a metric's `direction` ("up"/"down") tells monitoring callbacks which way is better. */
  readonly metrics?: readonly { name: string; direction?: "up" | "down" }[];
  /** Used by ModelCheckpoint once saving exists. */
  save?(filepath: string, options?: { overwrite?: boolean }): unknown;
  saveWeights?(filepath: string, options?: { overwrite?: boolean }): unknown;
}

export interface CallbackParams {
  epochs?: number;
  /** Steps per epoch (undefined when the data's length is unknown). */
  steps?: number;
  verbose?: number;
}

/** @inline */
type Hook = void | Promise<void>;

/**
 * The base of callbacks (Keras's Callback): override the hooks you need. Each may be async;
 * fit() awaits it. `this.model` is the model being trained, `this.params` the loop's settings.
 */
export class Callback {
  model: TrainedModel | null = null;
  params: CallbackParams = {};

  setModel(model: TrainedModel): void {
    this.model = model;
  }

  setParams(params: CallbackParams): void {
    this.params = params;
  }

  onTrainBegin(_logs?: Logs): Hook {}
  onTrainEnd(_logs?: Logs): Hook {}
  onEpochBegin(_epoch: number, _logs?: Logs): Hook {}
  onEpochEnd(_epoch: number, _logs?: Logs): Hook {}
  /** Keras's on_batch_begin: called by the default onTrainBatchBegin (older name). */
  onBatchBegin(_batch: number, _logs?: Logs): Hook {}
  /** Keras's on_batch_end: called by the default onTrainBatchEnd (older name). */
  onBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onTrainBatchBegin(batch: number, logs?: Logs): Hook {
    return this.onBatchBegin(batch, logs);
  }
  onTrainBatchEnd(batch: number, logs?: Logs): Hook {
    return this.onBatchEnd(batch, logs);
  }
  onTestBegin(_logs?: Logs): Hook {}
  onTestEnd(_logs?: Logs): Hook {}
  onTestBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onTestBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onPredictBegin(_logs?: Logs): Hook {}
  onPredictEnd(_logs?: Logs): Hook {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onPredictBatchEnd(_batch: number, _logs?: Logs): Hook {}
}
