import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface AdagradArgs extends OptimizerArgs {
  /** Starting value of the accumulators (default 0.1). */
  initialAccumulatorValue?: number;
  /** Small constant for numerical stability (default 1e-7). */
  epsilon?: number;
}

/** Keras 3's Adagrad: `acc += g^2`, `w -= lr * g / sqrt(acc + eps)`. */
export class Adagrad extends Optimizer {
  static override className = "Adagrad";
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Variable[] = [];

  constructor(learningRate?: LearningRate | AdagradArgs, options?: AdagradArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.initialAccumulatorValue = a.initialAccumulatorValue ?? 0.1;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.accumulators] = this.addOptimizerVariables(variables, ["accumulator"], this.initialAccumulatorValue);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const acc = this.accumulators[this.variableIndex(v)];
    const pOut = this.out(v);
    const accOut = this.out(acc);
    kernels.adagradUpdate(this.read(v), g, this.read(acc), pOut, accOut, lr, this.epsilon, decay);
    this.store(acc, accOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { initialAccumulatorValue, epsilon } = this;
    return { ...super.getConfig(), initialAccumulatorValue, epsilon };
  }
}
