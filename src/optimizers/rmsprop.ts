import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface RMSpropArgs extends OptimizerArgs {
  /** Discounting factor for the old gradients (default 0.9). */
  rho?: number;
  /** Momentum (default 0). */
  momentum?: number;
  /** Small constant for numerical stability (default 1e-7). */
  epsilon?: number;
  /** Normalize by the estimated variance of the gradient instead of its second moment (default false). */
  centered?: boolean;
}

/**
 * Keras 3's RMSprop: `vel = rho * vel + (1 - rho) * g^2`, centered `avg = rho * avg + (1 - rho) * g`,
 * `inc = lr * g / sqrt(vel [- avg^2] + eps)`, then `w -= inc` or, with momentum, `mom = momentum * mom + inc; w -= mom`.
 */
export class RMSprop extends Optimizer {
  static override className = "RMSprop";
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  private velocities: Variable[] = [];
  private momentums: Variable[] = [];
  private averageGradients: Variable[] = [];

  constructor(learningRate?: LearningRate | RMSpropArgs, options?: RMSpropArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.rho = a.rho ?? 0.9;
    this.momentum = a.momentum ?? 0.0;
    this.epsilon = a.epsilon ?? 1e-7;
    this.centered = a.centered ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.velocities] = this.addOptimizerVariables(variables, ["velocity"]);
    if (this.momentum > 0) [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
    if (this.centered) [this.averageGradients] = this.addOptimizerVariables(variables, ["average_gradient"]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const i = this.variableIndex(v);
    const vel = this.velocities[i];
    const mom = this.momentum > 0 ? this.momentums[i] : null;
    const avg = this.centered ? this.averageGradients[i] : null;
    const pOut = this.out(v);
    const velOut = this.out(vel);
    const momOut = mom ? this.out(mom) : null;
    const avgOut = avg ? this.out(avg) : null;
    kernels.rmspropUpdate(
      this.read(v),
      g,
      this.read(vel),
      mom ? this.read(mom) : null,
      avg ? this.read(avg) : null,
      pOut,
      velOut,
      momOut,
      avgOut,
      lr,
      this.rho,
      this.momentum,
      this.epsilon,
      decay,
    );
    this.store(vel, velOut);
    if (mom && momOut) this.store(mom, momOut);
    if (avg && avgOut) this.store(avg, avgOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { rho, momentum, epsilon, centered } = this;
    return { ...super.getConfig(), rho, momentum, epsilon, centered };
  }
}
