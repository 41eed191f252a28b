import { isFloat } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { onesLike } from "../../ops/creation.js";
import { add, cast, divide, multiply, square, subtract, where } from "../../ops/elementwise.js";
import { fusedBatchNorm } from "../../ops/nn/fused_normalization.js";
import { batchNormalization, batchNormalizationComposed, moments } from "../../ops/nn/normalization.js";
import { sum } from "../../ops/reduction.js";
import { expandDims, squeeze } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { constraintsConfig, initializersConfig, regularizersConfig } from "../weight_options.js";
import { addGammaBeta } from "./gamma_beta.js";
import { canonicalAxis } from "./norm_args.js";
import { normalizationPath } from "./path.js";

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, normalized per index (default -1). */
  axis?: number;
  /** Momentum of the moving averages (default 0.99). */
  momentum?: number;
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  /** Add the offset `beta` (default true). */
  center?: boolean;
  /** Multiply by `gamma` (default true). */
  scale?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  movingMeanInitializer?: initializers.InitializerIdentifier;
  movingVarianceInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier | null;
  gammaRegularizer?: regularizers.RegularizerIdentifier | null;
  betaConstraint?: constraints.ConstraintIdentifier | null;
  gammaConstraint?: constraints.ConstraintIdentifier | null;
  /** Accepted for Keras compatibility; there is one device, so statistics are always local. */
  synchronized?: boolean;
}

/**
 * Keras's BatchNormalization. Training (and trainable): normalizes with the batch's mean and
 * variance over every axis but `axis`, and updates moving = moving * momentum + batch * (1 - momentum).
 * Inference, or a frozen layer (trainable = false, as in Keras 3): normalizes with the moving statistics.
 * Weights: gamma, beta (trainable), moving_mean, moving_variance (non-trainable), each [size of axis].
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly synchronized: boolean;
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly movingMeanInitializer: initializers.Initializer;
  readonly movingVarianceInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean!: Variable;
  movingVariance!: Variable;
  private reductionAxes: number[] = [];

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const who = this.describe();
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new Error(`${who}: axis must be an integer, received ${JSON.stringify(args.axis)}.`);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.synchronized = args.synchronized ?? false;
    this.betaInitializer = initializers.get(args.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(args.gammaInitializer ?? "ones");
    this.movingMeanInitializer = initializers.get(args.movingMeanInitializer ?? "zeros");
    this.movingVarianceInitializer = initializers.get(args.movingVarianceInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(args.betaRegularizer);
    this.gammaRegularizer = regularizers.get(args.gammaRegularizer);
    this.betaConstraint = constraints.get(args.betaConstraint);
    this.gammaConstraint = constraints.get(args.gammaConstraint);
    this.supportsMasking = true;
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const who = this.describe();
    const axis = canonicalAxis(this.axis, shape, who);
    const size = shape[axis];
    if (size === null) {
      throw new Error(
        `${who}: axis ${this.axis} of the input must be known, received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    addGammaBeta(this, [size], this.scale, this.center);
    this.movingMean = this.addWeight({
      name: "moving_mean",
      shape: [size],
      initializer: this.movingMeanInitializer,
      trainable: false,
    });
    this.movingVariance = this.addWeight({
      name: "moving_variance",
      shape: [size],
      initializer: this.movingVarianceInitializer,
      trainable: false,
    });
    this.inputSpec = new InputSpec({ ndim: shape.length, axes: { [this.axis]: size } });
    this.reductionAxes = shape.map((_, i) => i).filter((i) => i !== axis);
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    return (inputShape as SpecShape).slice();
  }

  override call(inputs: Nested<AnyTensor>, { training, mask }: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (!isFloat(x.dtype)) x = cast(x, "float32");
    const m = (Array.isArray(mask) ? mask[0] : mask) as AnyTensor | null | undefined;
    if (m !== null && m !== undefined && m.shape.length !== x.shape.length - 1) {
      throw new Error(
        `${this.describe()}: the mask must have one axis less than the inputs, received mask shape [${m.shape.map((d) => d ?? "null")}] and inputs shape [${x.shape.map((d) => d ?? "null")}].`,
      );
    }
    const fused = normalizationPath.fused;
    let mean: AnyTensor;
    let variance: AnyTensor;
    if (training && this.trainable) {
      if (fused && !m) {
        // Statistics and normalization in one kernel, its gradient in one more.
        const [y, bm, bv] = fusedBatchNorm(x, this.gamma?.value, this.beta?.value, this.axis, this.epsilon);
        this.updateMovingStatistics(bm, bv);
        return y;
      }
      [mean, variance] = m ? this.maskedMoments(x, m) : moments(x, this.reductionAxes);
      this.updateMovingStatistics(mean, variance);
    } else {
      mean = this.movingMean.value;
      variance = this.movingVariance.value;
    }
    const normalize = fused ? batchNormalization : batchNormalizationComposed;
    return normalize(x, mean, variance, this.axis, this.beta?.value, this.gamma?.value, this.epsilon);
  }

  /** Only concrete statistics update the variables (a symbolic trace must not assign). */
  private updateMovingStatistics(mean: AnyTensor, variance: AnyTensor): void {
    if (mean instanceof Tensor && variance instanceof Tensor) {
      this.updateMoving(this.movingMean, mean);
      this.updateMoving(this.movingVariance, variance);
    }
  }

  /** moving = moving * momentum + batch * (1 - momentum), in the variable's dtype. */
  private updateMoving(v: Variable, batch: Tensor): void {
    const b = batch.dtype === v.dtype ? batch : (cast(batch, v.dtype) as Tensor);
    v.assign(add(multiply(v.peek(), this.momentum), multiply(b, 1 - this.momentum)) as Tensor);
  }

  /** Keras's masked moments: statistics over the unmasked positions only (mask [...inputs axes but the last]). */
  private maskedMoments(x: AnyTensor, mask: AnyTensor): [AnyTensor, AnyTensor] {
    const keep = expandDims(cast(mask, "bool"), -1);
    const weights = multiply(onesLike(x), cast(keep, x.dtype));
    const count = add(sum(weights, this.reductionAxes, true), 1e-7);
    const mean = divide(sum(where(keep, x, 0), this.reductionAxes, true), count);
    const dev = where(keep, subtract(x, mean), 0);
    const variance = divide(sum(square(dev), this.reductionAxes, true), count);
    return [squeeze(mean, this.reductionAxes), squeeze(variance, this.reductionAxes)];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...initializersConfig(this, ["beta", "gamma", "movingMean", "movingVariance"]),
      ...regularizersConfig(this, ["beta", "gamma"]),
      ...constraintsConfig(this, ["beta", "gamma"]),
      synchronized: this.synchronized,
    };
  }
}
