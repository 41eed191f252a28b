import type { CallbackOptimizer, Logs, TrainedModel } from "./callback.js";

/** The model's optimizer(s), each with a learning rate (a multi-optimizer lists its `optimizers`). */
export function optimizersOf(model: TrainedModel | null, owner: string): CallbackOptimizer[] {
  const opt = model?.optimizer as CallbackOptimizer | null | undefined;
  if (!opt) throw new Error(`${owner}: the model has no optimizer; call model.compile() first.`);
  return opt.optimizers ? [...opt.optimizers] : [opt];
}

/** Adds `learning_rate` (or `learning_rate_<name>` per optimizer) to the epoch's logs, as Keras does. */
export function logLearningRates(model: TrainedModel | null, logs: Logs | undefined, owner: string): void {
  if (!logs) return;
  const opt = model?.optimizer as CallbackOptimizer | null | undefined;
  if (opt?.optimizers) for (const o of opt.optimizers) logs[`learning_rate_${o.name}`] = Number(o.learningRate);
  else for (const o of optimizersOf(model, owner)) logs.learning_rate = Number(o.learningRate);
}
