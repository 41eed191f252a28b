import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { separableConv } from "../../ops/nn/conv.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { weightOptions, weightOptionsConfig } from "../weight_options.js";
import { type DataFormat, positiveInt, spatialConfig, standardizeSpatialArgs } from "./conv_args.js";
import { addBias, convInput } from "./conv_io.js";

export interface SeparableConvArgs extends LayerArgs {
  strides?: number | readonly number[];
  /** "valid" (default) or "same". */
  padding?: string;
  dataFormat?: string | null;
  dilationRate?: number | readonly number[];
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  pointwiseInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier | null;
  pointwiseRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  depthwiseConstraint?: constraints.ConstraintIdentifier | null;
  pointwiseConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
}

/**
 * The N-d separable convolution layer (Keras's BaseSeparableConv): a depthwise convolution, then a
 * pointwise (1x1) convolution to `filters` channels. Weights as Keras: "depthwise_kernel"
 * [...kernelSize, inChannels, depthMultiplier], "pointwise_kernel" [...1s, inChannels * depthMultiplier,
 * filters], "bias" [filters].
 */
export class BaseSeparableConv extends Layer {
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: activations.Activation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: initializers.Initializer;
  readonly pointwiseInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly depthwiseRegularizer: regularizers.Regularizer | null;
  readonly pointwiseRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly depthwiseConstraint: constraints.Constraint | null;
  readonly pointwiseConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  depthwiseKernel!: Variable;
  pointwiseKernel!: Variable;
  bias: Variable | null = null;

  constructor(rank: number, filters: number, kernelSize: number | readonly number[], args: SeparableConvArgs = {}) {
    super(args);
    const who = this.describe();
    this.rank = rank;
    this.filters = positiveInt(filters, "filters", who);
    this.depthMultiplier = positiveInt(args.depthMultiplier ?? 1, "depthMultiplier", who);
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      padding: this.padding,
      dataFormat: this.dataFormat,
    } = standardizeSpatialArgs(rank, kernelSize, args, who));
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = initializers.get(args.depthwiseInitializer ?? "glorot_uniform");
    this.pointwiseInitializer = initializers.get(args.pointwiseInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(args.depthwiseRegularizer);
    this.pointwiseRegularizer = regularizers.get(args.pointwiseRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.depthwiseConstraint = constraints.get(args.depthwiseConstraint);
    this.pointwiseConstraint = constraints.get(args.pointwiseConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const { channels, inputSpec } = convInput(shape, this.rank, this.dataFormat, this.describe());
    this.inputSpec = inputSpec;
    this.depthwiseKernel = this.addWeight({
      name: "depthwise_kernel",
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      ...weightOptions(this, "depthwise"),
    });
    this.pointwiseKernel = this.addWeight({
      name: "pointwise_kernel",
      shape: [...new Array<number>(this.rank).fill(1), channels * this.depthMultiplier, this.filters],
      ...weightOptions(this, "pointwise"),
    });
    if (this.useBias)
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], ...weightOptions(this, "bias") });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y: AnyTensor = separableConv(inputs as AnyTensor, this.depthwiseKernel.value, this.pointwiseKernel.value, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
    if (this.bias) y = addBias(y, this.bias, this.rank, this.dataFormat);
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      filters: this.filters,
      ...spatialConfig(this),
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      ...weightOptionsConfig(this, ["depthwise", "pointwise", "bias"], true),
    };
  }
}
