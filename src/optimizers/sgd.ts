import { kernels } from "../backend/kernels.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface SGDArgs extends OptimizerArgs {
  /** Accelerates descent along consistent directions and dampens oscillations (default 0). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * Gradient descent with optional (Nesterov) momentum, Keras 3's SGD: `m = momentum * m - lr * g`,
 * `w += m` (Nesterov: `w += momentum * m - lr * g`), or `w -= lr * g` without momentum.
 */
export class SGD extends Optimizer {
  static override className = "SGD";
  readonly momentum: number;
  readonly nesterov: boolean;
  private momentums: Variable[] = [];

  constructor(learningRate?: LearningRate | SGDArgs, options?: SGDArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.01 });
    const momentum = a.momentum ?? 0.0;
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
      throw new Error(`SGD: \`momentum\` must be a number between [0, 1]. Received: momentum=${momentum}`);
    }
    this.momentum = momentum;
    this.nesterov = a.nesterov ?? false;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    super.build(variables);
    if (this.momentum !== 0) [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  // Both sgd kernels read g[i] before writing p[i].
  protected override get updatesIntoGradient(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const p = this.read(v);
    const pOut = this.out(v);
    if (this.momentum !== 0) {
      const m = this.momentums[this.variableIndex(v)];
      const mOut = this.out(m);
      kernels.sgdMomentumUpdate(p, g, this.read(m), pOut, mOut, lr, this.momentum, this.nesterov, decay);
      this.store(m, mOut);
    } else {
      kernels.sgdUpdate(p, g, pOut, lr, decay);
    }
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
