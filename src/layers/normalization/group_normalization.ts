import { isFloat } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add, cast, multiply, negative, rsqrt } from "../../ops/elementwise.js";
import { moments } from "../../ops/nn/normalization.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { weightOptionsConfig } from "../weight_options.js";
import { addGammaBeta } from "./gamma_beta.js";
import { canonicalAxis } from "./norm_args.js";

export interface GroupNormalizationArgs extends LayerArgs {
  /** Number of groups the channels are split into (default 32; -1: one per channel). */
  groups?: number;
  /** The channels axis (default -1). */
  axis?: number;
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: initializers.InitializerIdentifier;
  gammaInitializer?: initializers.InitializerIdentifier;
  betaRegularizer?: regularizers.RegularizerIdentifier | null;
  gammaRegularizer?: regularizers.RegularizerIdentifier | null;
  betaConstraint?: constraints.ConstraintIdentifier | null;
  gammaConstraint?: constraints.ConstraintIdentifier | null;
}

/**
 * Keras's GroupNormalization: the channels (along `axis`) are split into `groups` groups, and each
 * sample is normalized per group over the group's channels and every other non-batch axis.
 * groups = -1 is instance normalization (one group per channel). Weights gamma, beta [channels].
 */
export class GroupNormalization extends Layer {
  groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: initializers.Initializer;
  readonly gammaInitializer: initializers.Initializer;
  readonly betaRegularizer: regularizers.Regularizer | null;
  readonly gammaRegularizer: regularizers.Regularizer | null;
  readonly betaConstraint: constraints.Constraint | null;
  readonly gammaConstraint: constraints.Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(args: GroupNormalizationArgs = {}) {
    super(args);
    const groups = args.groups ?? 32;
    if (!Number.isInteger(groups) || (groups <= 0 && groups !== -1)) {
      throw new Error(
        `${this.describe()}: groups must be a positive integer (or -1 for instance normalization), received ${JSON.stringify(groups)}.`,
      );
    }
    this.groups = groups;
    this.axis = args.axis ?? -1;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
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
    const dim = shape[canonicalAxis(this.axis, shape, who)];
    if (dim === null) {
      throw new Error(
        `${who}: axis ${this.axis} of the input must be known, received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    if (this.groups === -1) this.groups = dim;
    if (dim < this.groups) {
      throw new Error(
        `${who}: the number of groups (${this.groups}) cannot be more than the number of channels (${dim}).`,
      );
    }
    if (dim % this.groups !== 0) {
      throw new Error(
        `${who}: the number of channels (${dim}) must be a multiple of the number of groups (${this.groups}).`,
      );
    }
    this.inputSpec = new InputSpec({ ndim: shape.length, axes: { [this.axis]: dim } });
    addGammaBeta(this, [dim], this.scale, this.center);
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    return (inputShape as SpecShape).slice();
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (!isFloat(x.dtype)) x = cast(x, "float32");
    const shape = x.shape as number[];
    const axis = canonicalAxis(this.axis, shape, this.describe());
    const perGroup = shape[axis] / this.groups;
    // [..., channels, ...] -> [..., groups, channels / groups, ...]; statistics over all but batch and groups.
    const grouped = reshape(x, [...shape.slice(0, axis), this.groups, perGroup, ...shape.slice(axis + 1)]);
    const axes = grouped.shape.map((_, i) => i).filter((i) => i !== 0 && i !== axis);
    const [mean, variance] = moments(grouped, axes, true);
    const paramShape = grouped.shape.map(() => 1);
    paramShape[axis] = this.groups;
    paramShape[axis + 1] = perGroup;
    let inv = rsqrt(add(variance, this.epsilon));
    if (this.gamma) inv = multiply(inv, cast(reshape(this.gamma.value, paramShape), x.dtype));
    let res = multiply(negative(mean), inv);
    if (this.beta) res = add(res, cast(reshape(this.beta.value, paramShape), x.dtype));
    return reshape(add(multiply(grouped, inv), res), shape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...weightOptionsConfig(this, ["beta", "gamma"]),
    };
  }
}
