import { kernels } from "../backend/kernels.js";
import { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { type LearningRate, Optimizer, type OptimizerArgs, splitArgs } from "./optimizer.js";

export interface NadamArgs extends OptimizerArgs {
  /** Exponential decay rate of the first moment estimates (default 0.9). */
  beta1?: number;
  /** Exponential decay rate of the second moment estimates (default 0.999). */
  beta2?: number;
  /** Small constant for numerical stability (default 1e-7). */
  epsilon?: number;
}

/**
 * Keras 3's Nadam (Adam with Nesterov momentum and the 0.96 momentum schedule):
 * `u_t = beta1 * (1 - 0.5 * 0.96^t)`, a running product of the u_t kept in a variable,
 * `mHat = u_{t+1} * m / (1 - prod_{t+1}) + (1 - u_t) * g / (1 - prod_t)`, `vHat = v / (1 - beta2^t)`,
 * `w -= lr * mHat / (sqrt(vHat) + eps)`.
 */
export class Nadam extends Optimizer {
  static override className = "Nadam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private uProduct: Variable | null = null;

  constructor(learningRate?: LearningRate | NadamArgs, options?: NadamArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, learningRate: a.learningRate ?? 0.001 });
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
  }

  override build(variables: readonly Variable[]): void {
    if (this.built) return;
    const dtype = variables.length > 0 ? variables[0].dtype : "float32";
    super.build(variables);
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ["momentum", "velocity"]);
    // Keras creates this one unnamed, after the slots; only its position matters for saving.
    this.uProduct = this.addVariable([], { initializer: 1, dtype, name: "u_product" });
  }

  protected override beforeUpdates(): void {
    const up = this.uProduct as Variable;
    const t = this.step + 1;
    const next = this.read(up).data[0] * this.beta1 * (1 - 0.5 * 0.96 ** t);
    const out = Tensor.empty([], up.dtype);
    out.data[0] = next;
    this.store(up, out);
  }

  protected override get fusesWeightDecay(): boolean {
    return true;
  }

  protected updateStep(g: Tensor, v: Variable, lr: number, decay: number): void {
    const i = this.variableIndex(v);
    const t = this.step + 1;
    const uT = this.beta1 * (1 - 0.5 * 0.96 ** t);
    const uT1 = this.beta1 * (1 - 0.5 * 0.96 ** (t + 1));
    const uProductT = this.read(this.uProduct as Variable).data[0];
    const uProductT1 = uProductT * uT1;
    const c1 = uT1 / (1 - uProductT1);
    const c2 = (1 - uT) / (1 - uProductT);
    const m = this.momentums[i];
    const vel = this.velocities[i];
    const pOut = this.out(v);
    const mOut = this.out(m);
    const vOut = this.out(vel);
    kernels.nadamUpdate(
      this.read(v),
      g,
      this.read(m),
      this.read(vel),
      pOut,
      mOut,
      vOut,
      lr,
      this.beta1,
      this.beta2,
      this.epsilon,
      c1,
      c2,
      this.beta2 ** t,
      decay,
    );
    this.store(m, mOut);
    this.store(vel, vOut);
    this.store(v, pOut);
  }

  override getConfig(): Record<string, unknown> {
    const { beta1, beta2, epsilon } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon };
  }
}
