import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { separableConv } from "../../ops/nn/conv.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { serializeOrNull } from "./base_conv.js";
import {
  biasShape,
  type DataFormat,
  inputChannels,
  positiveInt,
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
} from "./conv_args.js";

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
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernelSize", who);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", who);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilationRate", who);
    this.padding = standardizePadding(args.padding, who);
    this.dataFormat = standardizeDataFormat(args.dataFormat, who);
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
    const who = this.describe();
    if (shape.length !== this.rank + 2) {
      throw new Error(
        `${who}: expected inputs of rank ${this.rank + 2} ([batch, ...${this.rank} spatial axes, channels]), received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    const { axis, channels } = inputChannels(shape, this.dataFormat, who);
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [axis]: channels } });
    this.depthwiseKernel = this.addWeight({
      name: "depthwise_kernel",
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
    });
    this.pointwiseKernel = this.addWeight({
      name: "pointwise_kernel",
      shape: [...new Array<number>(this.rank).fill(1), channels * this.depthMultiplier, this.filters],
      initializer: this.pointwiseInitializer,
      regularizer: this.pointwiseRegularizer,
      constraint: this.pointwiseConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias",
        shape: [this.filters],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y = separableConv(inputs as AnyTensor, this.depthwiseKernel.value, this.pointwiseKernel.value, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
    if (this.bias) y = add(y, reshape(this.bias.value, biasShape(this.filters, this.rank, this.dataFormat)));
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      filters: this.filters,
      kernelSize: this.kernelSize.slice(),
      strides: this.strides.slice(),
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate.slice(),
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      depthwiseInitializer: initializers.serialize(this.depthwiseInitializer),
      pointwiseInitializer: initializers.serialize(this.pointwiseInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      depthwiseRegularizer: serializeOrNull(this.depthwiseRegularizer, regularizers.serialize),
      pointwiseRegularizer: serializeOrNull(this.pointwiseRegularizer, regularizers.serialize),
      biasRegularizer: serializeOrNull(this.biasRegularizer, regularizers.serialize),
      activityRegularizer: serializeOrNull(this.activityRegularizer, regularizers.serialize),
      depthwiseConstraint: serializeOrNull(this.depthwiseConstraint, constraints.serialize),
      pointwiseConstraint: serializeOrNull(this.pointwiseConstraint, constraints.serialize),
      biasConstraint: serializeOrNull(this.biasConstraint, constraints.serialize),
    };
  }
}
