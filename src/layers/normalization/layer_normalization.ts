import { isFloat } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add, cast, multiply, negative, rsqrt } from "../../ops/elementwise.js";
import { consecutiveAxes, fusedLayerNorm } from "../../ops/nn/fused_normalization.js";
import { moments } from "../../ops/nn/normalization.js";
import { variance as varianceOf } from "../../ops/reduction.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { weightOptionsConfig } from "../weight_options.js";
import { addGammaBeta } from "./gamma_beta.js";
import { canonicalAxes } from "./norm_args.js";
import { normalizationPath } from "./path.js";

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  /** Add the offset `beta` (default true). */
  center?: boolean;
  /** Multiply by `gamma` (default true). */
  scale?: boolean;
  /** Keras's deprecated rms_scaling: x * rsqrt(variance + epsilon) * gamma, no beta (default false). */
  rmsScaling?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier | null;
  gammaRegularizer?: regularizers.RegularizerIdentifier | null;
  betaConstraint?: constraints.ConstraintIdentifier | null;
  gammaConstraint?: constraints.ConstraintIdentifier | null;
}

/**
 * Keras's LayerNormalization: normalizes each sample over `axis` (default -1, or a list of axes) with
 * its own mean and variance, then scales by gamma and shifts by beta (shapes: the sizes of `axis`).
 */
export class LayerNormalization extends Layer {
  /** As Keras: an int before build, the list of axes after. */
  axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  private axes: number[] = [];

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const ok = (a: unknown) => Number.isInteger(a);
    if (!(typeof axis === "number" ? ok(axis) : Array.isArray(axis) && axis.every(ok))) {
      throw new TypeError(
        `${this.describe()}: axis must be an integer or a list of integers, received ${JSON.stringify(axis)}.`,
      );
    }
    this.axis = typeof axis === "number" ? axis : axis.slice();
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.rmsScaling = args.rmsScaling ?? false;
    this.betaInitializer = initializers.get(args.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(args.gammaInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(args.betaRegularizer);
    this.gammaRegularizer = regularizers.get(args.gammaRegularizer);
    this.betaConstraint = constraints.get(args.betaConstraint);
    this.gammaConstraint = constraints.get(args.gammaConstraint);
    this.supportsMasking = true;
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const who = this.describe();
    this.axes = canonicalAxes(this.axis, shape, who);
    const paramShape = this.axes.map((a) => shape[a]);
    if (paramShape.includes(null)) {
      throw new Error(
        `${who}: the normalized axes of the input must be known, received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    if (typeof this.axis === "number") this.axis = [this.axis];
    // rms_scaling always scales and never offsets, as Keras.
    addGammaBeta(this, paramShape as number[], this.scale || this.rmsScaling, this.center && !this.rmsScaling);
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    return (inputShape as SpecShape).slice();
  }

  /** A weight reshaped to broadcast along the normalized axes. */
  private broadcast(v: Variable, x: AnyTensor): AnyTensor {
    const shape = x.shape.map(() => 1);
    for (const a of this.axes) shape[a] = v.shape[this.axes.indexOf(a)];
    return cast(reshape(v.value, shape), x.dtype);
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (!isFloat(x.dtype)) x = cast(x, "float32");
    if (this.rmsScaling) {
      let y = multiply(x, rsqrt(add(varianceOf(x, this.axes, true), this.epsilon)));
      if (this.gamma) y = multiply(y, this.broadcast(this.gamma, x));
      return y;
    }
    if (normalizationPath.fused && consecutiveAxes(this.axes, x.shape.length)) {
      // Statistics and normalization in one kernel, its gradient in one more.
      return fusedLayerNorm(x, this.gamma?.value, this.beta?.value, this.axes, this.epsilon)[0];
    }
    const [mean, variance] = moments(x, this.axes, true);
    // As Keras: x * inv + (beta - mean * inv), inv = gamma / sqrt(variance + epsilon).
    let inv = rsqrt(add(variance, this.epsilon));
    if (this.gamma) inv = multiply(inv, this.broadcast(this.gamma, x));
    let res = multiply(negative(mean), inv);
    if (this.beta) res = add(res, this.broadcast(this.beta, x));
    return add(multiply(x, inv), res);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: typeof this.axis === "number" ? this.axis : this.axis.slice(),
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      rmsScaling: this.rmsScaling,
      ...weightOptionsConfig(this, ["beta", "gamma"]),
    };
  }
}
