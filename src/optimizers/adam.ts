import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface AdamArgs extends OptimizerArgs {
  /** Exponential decay rate of the first moment estimates (default 0.9). */
  beta1?: number;
  /** Exponential decay rate of the second moment estimates (default 0.999). */
  beta2?: number;
  /** Small constant for numerical stability, added after the square root (default 1e-7). */
  epsilon?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
}

/**
 * Keras 3's Adam: `m += (g - m) * (1 - beta1)`, `v += (g^2 - v) * (1 - beta2)`,
 * `w -= m * alpha / (sqrt(v) + eps)` with `alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`; AMSGrad uses
 * the running maximum of v.
 */
export class Adam extends Optimizer {
  static override className = "Adam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private velocityHats: Variable[] = [];

  constructor(learningRate?: LearningRate | AdamArgs, options?: AdamArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    this.amsgrad = a.amsgrad ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ["momentum", "velocity"]);
    if (this.amsgrad) [this.velocityHats] = this.addOptimizerVariables(variables, ["velocity_hat"]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  // Both adamUpdate kernels read g[i] before writing p[i].
  protected override get updatesIntoGradient(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const i = this.variableIndex(v);
    const t = this.step + 1;
    const alpha = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const m = this.momentums[i];
    const vel = this.velocities[i];
    const vh = this.amsgrad ? this.velocityHats[i] : null;
    const pOut = this.out(v);
    const mOut = this.out(m);
    const vOut = this.out(vel);
    const vhOut = vh ? this.out(vh) : null;
    kernels.adamUpdate(
      this.read(v),
      g,
      this.read(m),
      this.read(vel),
      vh ? this.read(vh) : null,
      pOut,
      mOut,
      vOut,
      vhOut,
      alpha,
      this.beta1,
      this.beta2,
      this.epsilon,
      decay,
    );
    this.store(m, mOut);
    this.store(vel, vOut);
    if (vh && vhOut) this.store(vh, vhOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { beta1, beta2, epsilon, amsgrad } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon, amsgrad };
  }
}
