import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { conv, convBiasActivation } from "../../ops/nn/conv.js";
import { pad } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { fusedActivation } from "../fused_activation.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { weightOptions, weightOptionsConfig } from "../weight_options.js";
import { type DataFormat, positiveInt, spatialConfig, standardizeSpatialArgs } from "./conv_args.js";
import { addBias, convInput } from "./conv_io.js";

/** Arguments of Conv1D/2D/3D after `filters` and `kernelSize` (Keras's keyword arguments). */
export interface ConvArgs extends LayerArgs {
  /** Int or one per spatial axis (default 1). */
  strides?: number | readonly number[];
  /** "valid" (default), "same", or "causal" (Conv1D only). */
  padding?: string;
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
  /** Int or one per spatial axis (default 1); cannot be combined with strides > 1. */
  dilationRate?: number | readonly number[];
  /** Number of channel groups (default 1); inputs channels and filters must be divisible by it. */
  groups?: number;
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  kernelConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
}

// Re-exported for the layers that import it from here.
export { serializeOrNull } from "../weight_options.js";

/**
 * The N-d convolution layer (Keras's BaseConv): `activation(conv(inputs, kernel) + bias)` with kernel
 * [...kernelSize, inChannels / groups, filters] and bias [filters].
 */
export class BaseConv extends Layer {
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly groups: number;
  readonly activation: activations.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(rank: number, filters: number, kernelSize: number | readonly number[], args: ConvArgs = {}) {
    super(args);
    const who = this.describe();
    this.rank = rank;
    this.filters = positiveInt(filters, "filters", who);
    this.groups = positiveInt(args.groups ?? 1, "groups", who);
    if (this.filters % this.groups !== 0) {
      throw new Error(
        `${who}: the number of filters must be evenly divisible by the number of groups, received groups=${this.groups}, filters=${this.filters}.`,
      );
    }
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      padding: this.padding,
      dataFormat: this.dataFormat,
    } = standardizeSpatialArgs(rank, kernelSize, args, who, { causal: rank === 1, stridedDilation: false }));
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.kernelConstraint = constraints.get(args.kernelConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const who = this.describe();
    const { channels, inputSpec } = convInput(shape, this.rank, this.dataFormat, who);
    if (channels % this.groups !== 0) {
      throw new Error(
        `${who}: the number of input channels must be evenly divisible by the number of groups, received groups=${this.groups}, but the input has ${channels} channels (input shape [${shape.map((d) => d ?? "null")}]).`,
      );
    }
    this.inputSpec = inputSpec;
    const kernelShape = [...this.kernelSize, channels / this.groups, this.filters];
    this.kernel = this.addWeight({ name: "kernel", shape: kernelShape, ...weightOptions(this, "kernel") });
    if (this.useBias)
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], ...weightOptions(this, "bias") });
  }

  /** Conv1D's "causal" padding: zeros before the steps, then a valid convolution (as Keras). */
  protected causalPad(x: AnyTensor): AnyTensor {
    const left = this.dilationRate[0] * (this.kernelSize[0] - 1);
    const widths: [number, number][] =
      this.dataFormat === "channels_last"
        ? [
            [0, 0],
            [left, 0],
            [0, 0],
          ]
        : [
            [0, 0],
            [0, 0],
            [left, 0],
          ];
    return pad(x, widths);
  }

  protected convolutionOp(x: AnyTensor): AnyTensor {
    let inputs = x;
    let padding = this.padding;
    if (padding === "causal") {
      inputs = this.causalPad(inputs);
      padding = "valid";
    }
    return conv(inputs, this.kernel.value, {
      strides: this.strides,
      padding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const fused = fusedActivation(this.activation);
    if (fused !== undefined && this.padding !== "causal" && this.convolutionOp === BaseConv.prototype.convolutionOp) {
      // conv + bias + activation as one op: one output tensor, and one activation gradient from it.
      return convBiasActivation(inputs as AnyTensor, this.kernel.value, this.bias?.value ?? null, fused, {
        strides: this.strides,
        padding: this.padding,
        dilationRate: this.dilationRate,
        dataFormat: this.dataFormat,
      });
    }
    let y = this.convolutionOp(inputs as AnyTensor);
    if (this.bias) y = addBias(y, this.bias, this.rank, this.dataFormat);
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...spatialConfig(this),
      groups: this.groups,
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      ...weightOptionsConfig(this, ["kernel", "bias"], true),
    };
  }
}
