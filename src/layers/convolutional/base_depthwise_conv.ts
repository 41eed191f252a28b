import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { depthwiseConv } from "../../ops/nn/conv.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { weightOptions, weightOptionsConfig } from "../weight_options.js";
import { type DataFormat, positiveInt, spatialConfig, standardizeSpatialArgs } from "./conv_args.js";
import { addBias, convInput } from "./conv_io.js";

export interface DepthwiseConvArgs extends LayerArgs {
  strides?: number | readonly number[];
  /** "valid" (default) or "same". */
  padding?: string;
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  dataFormat?: string | null;
  dilationRate?: number | readonly number[];
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  depthwiseInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  depthwiseRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  depthwiseConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
}

/**
 * The N-d depthwise convolution layer (Keras's BaseDepthwiseConv): each input channel is convolved
 * with its own `depthMultiplier` filters. Weights as Keras: "kernel" [...kernelSize, inChannels,
 * depthMultiplier] and "bias" [inChannels * depthMultiplier].
 */
export class BaseDepthwiseConv extends Layer {
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: activations.Activation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly depthwiseRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly depthwiseConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(rank: number, kernelSize: number | readonly number[], args: DepthwiseConvArgs = {}) {
    super(args);
    const who = this.describe();
    this.rank = rank;
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
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(args.depthwiseRegularizer);
    this.biasRegularizer = regularizers.get(args.biasRegularizer);
    this.depthwiseConstraint = constraints.get(args.depthwiseConstraint);
    this.biasConstraint = constraints.get(args.biasConstraint);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const { channels, inputSpec } = convInput(shape, this.rank, this.dataFormat, this.describe());
    this.inputSpec = inputSpec;
    const kernelShape = [...this.kernelSize, channels, this.depthMultiplier];
    this.kernel = this.addWeight({ name: "kernel", shape: kernelShape, ...weightOptions(this, "depthwise") });
    if (this.useBias) {
      const biasShape = [channels * this.depthMultiplier];
      this.bias = this.addWeight({ name: "bias", shape: biasShape, ...weightOptions(this, "bias") });
    }
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y: AnyTensor = depthwiseConv(inputs as AnyTensor, this.kernel.value, {
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
      ...spatialConfig(this),
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      ...weightOptionsConfig(this, ["depthwise", "bias"], true),
    };
  }
}
