// A stand-in for a trained model in the callbacks' tests: weights are plain tensors the "training"
// replaces, the optimizer a learning rate and state variables.
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import type { Callback, Logs, TrainedModel } from "./callback.js";
import { CallbackList } from "./callback_list.js";

export class FakeVariable {
  constructor(public value: Tensor) {}
  peek(): Tensor {
    return this.value;
  }
  assign(v: Tensor): void {
    this.value = v;
  }
}

export class FakeModel implements TrainedModel {
  name = "fake";
  stopTraining = false;
  weights: Tensor[] = [toTensor([0, 0]), toTensor(0)];
  optimizer: { learningRate: number; variables: FakeVariable[]; name?: string; optimizers?: unknown[] } = {
    learningRate: 0.01,
    variables: [new FakeVariable(toTensor(0, "int32"))],
  };
  metrics = [{ name: "loss" }, { name: "accuracy" }, { name: "custom_score", direction: "up" as const }];
  saved: string[] = [];

  getWeights(): Tensor[] {
    return this.weights.slice();
  }
  setWeights(values: Tensor[]): void {
    this.weights = values.slice();
  }
  /** Weights that say which epoch made them. */
  train(epoch: number): void {
    this.weights = [toTensor([epoch, -epoch]), toTensor(epoch * 10)];
  }
}

/** Runs a fit-like loop over given epoch logs (as src/trainers/trainer.ts calls the hooks); returns the epochs run. */
export async function runEpochs(
  model: FakeModel,
  callbacks: Callback[],
  epochLogs: Logs[],
  opts: { stepsPerEpoch?: number; batchLogs?: (epoch: number, batch: number) => Logs; train?: boolean } = {},
): Promise<number[]> {
  const steps = opts.stepsPerEpoch ?? 1;
  const list = new CallbackList(callbacks, { model, epochs: epochLogs.length, steps, verbose: 0 });
  model.stopTraining = false;
  const ran: number[] = [];
  await list.onTrainBegin();
  for (let epoch = 0; epoch < epochLogs.length; epoch++) {
    await list.onEpochBegin(epoch);
    for (let b = 0; b < steps; b++) {
      await list.onTrainBatchBegin(b);
      await list.onTrainBatchEnd(b, opts.batchLogs?.(epoch, b) ?? { loss: epochLogs[epoch].loss ?? 0 });
      if (model.stopTraining) break;
    }
    if (opts.train !== false) model.train(epoch);
    ran.push(epoch);
    await list.onEpochEnd(epoch, { ...epochLogs[epoch] });
    if (model.stopTraining) break;
  }
  await list.onTrainEnd();
  return ran;
}

export const weightsOf = (m: FakeModel) => m.getWeights().map((t) => t.toArray());
