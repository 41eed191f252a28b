import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface LionArgs extends OptimizerArgs {
  /** Rate combining the current gradient and the momentum into the update's sign (default 0.9). */
  beta1?: number;
  /** Decay rate of the momentum (default 0.99). */
  beta2?: number;
}

/** Keras 3's Lion: `w -= lr * sign(m * beta1 + g * (1 - beta1))`, then `m = m * beta2 + g * (1 - beta2)`. */
export class Lion extends Optimizer {
  static override className = "Lion";
  readonly beta1: number;
  readonly beta2: number;
  private momentums: Variable[] = [];

  constructor(learningRate?: LearningRate | LionArgs, options?: LionArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.99;
    if (this.beta1 <= 0 || this.beta1 > 1) {
      throw new Error(
        `Lion: argument \`beta1\` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: beta1=${this.beta1}.`,
      );
    }
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const m = this.momentums[this.variableIndex(v)];
    const pOut = this.out(v);
    const mOut = this.out(m);
    kernels.lionUpdate(this.read(v), g, this.read(m), pOut, mOut, lr, this.beta1, this.beta2, decay);
    this.store(m, mOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { beta1, beta2 } = this;
    return { ...super.getConfig(), beta1, beta2 };
  }
}
