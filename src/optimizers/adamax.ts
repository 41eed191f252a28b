import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface AdamaxArgs extends OptimizerArgs {
  /** Exponential decay rate of the first moment estimates (default 0.9). */
  beta1?: number;
  /** Exponential decay rate of the exponentially weighted infinity norm (default 0.999). */
  beta2?: number;
  /** Small constant for numerical stability (default 1e-7). */
  epsilon?: number;
}

/**
 * Keras 3's Adamax: `m += (g - m) * (1 - beta1)`, `u = max(beta2 * u, |g|)`,
 * `w -= lr * m / ((1 - beta1^t) * (u + eps))`.
 */
export class Adamax extends Optimizer {
  static override className = "Adamax";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: Variable[] = [];
  private u: Variable[] = [];

  constructor(learningRate?: LearningRate | AdamaxArgs, options?: AdamaxArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.m, this.u] = this.addOptimizerVariables(variables, ["momentum", "norm"]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const i = this.variableIndex(v);
    const m = this.m[i];
    const u = this.u[i];
    const pOut = this.out(v);
    const mOut = this.out(m);
    const uOut = this.out(u);
    const beta1Power = this.beta1 ** (this.step + 1);
    kernels.adamaxUpdate(
      this.read(v),
      g,
      this.read(m),
      this.read(u),
      pOut,
      mOut,
      uOut,
      lr,
      this.beta1,
      this.beta2,
      this.epsilon,
      beta1Power,
      decay,
    );
    this.store(m, mOut);
    this.store(u, uOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { beta1, beta2, epsilon } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon };
  }
}
