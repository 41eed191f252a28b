import { Callback, type Logs } from "./callback.js";

/** @inline */
type H = void | Promise<void>;

/** The hooks a LambdaCallback may be given (any subset). */
export interface LambdaCallbackHooks {
  onEpochBegin?: (epoch: number, logs?: Logs) => H;
  onEpochEnd?: (epoch: number, logs?: Logs) => H;
  onTrainBegin?: (logs?: Logs) => H;
  onTrainEnd?: (logs?: Logs) => H;
  onTrainBatchBegin?: (batch: number, logs?: Logs) => H;
  onTrainBatchEnd?: (batch: number, logs?: Logs) => H;
  onBatchBegin?: (batch: number, logs?: Logs) => H;
  onBatchEnd?: (batch: number, logs?: Logs) => H;
  onTestBegin?: (logs?: Logs) => H;
  onTestEnd?: (logs?: Logs) => H;
  onTestBatchBegin?: (batch: number, logs?: Logs) => H;
  onTestBatchEnd?: (batch: number, logs?: Logs) => H;
  onPredictBegin?: (logs?: Logs) => H;
  onPredictEnd?: (logs?: Logs) => H;
  onPredictBatchBegin?: (batch: number, logs?: Logs) => H;
  onPredictBatchEnd?: (batch: number, logs?: Logs) => H;
}

const HOOKS = [
  "onEpochBegin",
  "onEpochEnd",
  "onTrainBegin",
  "onTrainEnd",
  "onTrainBatchBegin",
  "onTrainBatchEnd",
  "onBatchBegin",
  "onBatchEnd",
  "onTestBegin",
  "onTestEnd",
  "onTestBatchBegin",
  "onTestBatchEnd",
  "onPredictBegin",
  "onPredictEnd",
  "onPredictBatchBegin",
  "onPredictBatchEnd",
] as const;

/** A callback made of plain functions (Keras's LambdaCallback); they may be async. */
export class LambdaCallback extends Callback {
  constructor(hooks: LambdaCallbackHooks = {}) {
    super();
    for (const name of Object.keys(hooks)) {
      if (!(HOOKS as readonly string[]).includes(name)) {
        throw new Error(`LambdaCallback: unknown hook '${name}'. Known hooks: ${HOOKS.join(", ")}.`);
      }
    }
    for (const name of HOOKS) {
      const fn = hooks[name];
      if (fn !== undefined) (this as Record<string, unknown>)[name] = fn;
    }
  }
}
