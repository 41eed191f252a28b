import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { depthwiseConv } from "../../ops/nn/conv.js";
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
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernelSize", who);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", who);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilationRate", who);
    this.padding = standardizePadding(args.padding, who);
    this.dataFormat = standardizeDataFormat(args.dataFormat, who);
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
    const who = this.describe();
    if (shape.length !== this.rank + 2) {
      throw new Error(
        `${who}: expected inputs of rank ${this.rank + 2} ([batch, ...${this.rank} spatial axes, channels]), received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    const { axis, channels } = inputChannels(shape, this.dataFormat, who);
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [axis]: channels } });
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias",
        shape: [channels * this.depthMultiplier],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y = depthwiseConv(inputs as AnyTensor, this.kernel.value, {
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
    if (this.bias) {
      y = add(y, reshape(this.bias.value, biasShape(this.bias.shape[0], this.rank, this.dataFormat)));
    }
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      kernelSize: this.kernelSize.slice(),
      strides: this.strides.slice(),
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate.slice(),
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      depthwiseInitializer: initializers.serialize(this.depthwiseInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      depthwiseRegularizer: serializeOrNull(this.depthwiseRegularizer, regularizers.serialize),
      biasRegularizer: serializeOrNull(this.biasRegularizer, regularizers.serialize),
      activityRegularizer: serializeOrNull(this.activityRegularizer, regularizers.serialize),
      depthwiseConstraint: serializeOrNull(this.depthwiseConstraint, constraints.serialize),
      biasConstraint: serializeOrNull(this.biasConstraint, constraints.serialize),
    };
  }
}
