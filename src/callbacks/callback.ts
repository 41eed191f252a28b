export type Logs = Record<string, number>;

/** What callbacks may use of the model being trained (the trainer implements it). */
export interface TrainedModel {
  name: string;
  stopTraining: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the optimizer type lives above callbacks.
  optimizer: any;
  getWeights(): import("../backend/tensor.js").Tensor[];
  setWeights(values: import("../backend/tensor.js").Tensor[]): void;
}

export interface CallbackParams {
  epochs?: number;
  /** Steps per epoch (undefined when the data's length is unknown). */
  steps?: number;
  verbose?: number;
}

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
  onTrainBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onTrainBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onTestBegin(_logs?: Logs): Hook {}
  onTestEnd(_logs?: Logs): Hook {}
  onTestBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onTestBatchEnd(_batch: number, _logs?: Logs): Hook {}
  onPredictBegin(_logs?: Logs): Hook {}
  onPredictEnd(_logs?: Logs): Hook {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): Hook {}
  onPredictBatchEnd(_batch: number, _logs?: Logs): Hook {}
}
