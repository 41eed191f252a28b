import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface AdadeltaArgs extends OptimizerArgs {
  /** Decay rate (default 0.95). */
  rho?: number;
  /** Small constant for numerical stability (default 1e-7). */
  epsilon?: number;
}

/**
 * Keras 3's Adadelta: `accG = rho * accG + (1 - rho) * g^2`, `delta = -sqrt(accD + eps) * g / sqrt(accG + eps)`,
 * `accD = rho * accD + (1 - rho) * delta^2`, `w += lr * delta`.
 */
export class Adadelta extends Optimizer {
  static override className = "Adadelta";
  readonly rho: number;
  readonly epsilon: number;
  private accumulatedGrads: Variable[] = [];
  private accumulatedDeltaVars: Variable[] = [];

  constructor(learningRate?: LearningRate | AdadeltaArgs, options?: AdadeltaArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.rho = a.rho ?? 0.95;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    [this.accumulatedGrads, this.accumulatedDeltaVars] = this.addOptimizerVariables(variables, [
      "accumulated_grad",
      "accumulated_delta_var",
    ]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const i = this.variableIndex(v);
    const ag = this.accumulatedGrads[i];
    const ad = this.accumulatedDeltaVars[i];
    const pOut = this.out(v);
    const agOut = this.out(ag);
    const adOut = this.out(ad);
    kernels.adadeltaUpdate(
      this.read(v),
      g,
      this.read(ag),
      this.read(ad),
      pOut,
      agOut,
      adOut,
      lr,
      this.rho,
      this.epsilon,
      decay,
    );
    this.store(ag, agOut);
    this.store(ad, adOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { rho, epsilon } = this;
    return { ...super.getConfig(), rho, epsilon };
  }
}
