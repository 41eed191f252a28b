import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { conv } from "../../ops/nn/conv.js";
import { pad, reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import {
  biasShape,
  type DataFormat,
  inputChannels,
  positiveInt,
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
} from "./conv_args.js";

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

export const serializeOrNull = <T>(x: T | null, f: (x: T) => unknown): unknown => (x === null ? null : f(x));

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
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernelSize", who);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", who);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilationRate", who);
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new Error(
        `${who}: strides > 1 is not supported together with dilationRate > 1, received strides=[${this.strides}] and dilationRate=[${this.dilationRate}].`,
      );
    }
    this.padding = standardizePadding(args.padding, who, rank === 1);
    this.dataFormat = standardizeDataFormat(args.dataFormat, who);
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
    if (shape.length !== this.rank + 2) {
      throw new Error(
        `${who}: expected inputs of rank ${this.rank + 2} ([batch, ...${this.rank} spatial axes, channels]), received shape [${shape.map((d) => d ?? "null")}].`,
      );
    }
    const { axis, channels } = inputChannels(shape, this.dataFormat, who);
    if (channels % this.groups !== 0) {
      throw new Error(
        `${who}: the number of input channels must be evenly divisible by the number of groups, received groups=${this.groups}, but the input has ${channels} channels (input shape [${shape.map((d) => d ?? "null")}]).`,
      );
    }
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [axis]: channels } });
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, channels / this.groups, this.filters],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
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
    let y = this.convolutionOp(inputs as AnyTensor);
    if (this.bias) y = add(y, reshape(this.bias.value, biasShape(this.filters, this.rank, this.dataFormat)));
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize.slice(),
      strides: this.strides.slice(),
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate.slice(),
      groups: this.groups,
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: serializeOrNull(this.kernelRegularizer, regularizers.serialize),
      biasRegularizer: serializeOrNull(this.biasRegularizer, regularizers.serialize),
      activityRegularizer: serializeOrNull(this.activityRegularizer, regularizers.serialize),
      kernelConstraint: serializeOrNull(this.kernelConstraint, constraints.serialize),
      biasConstraint: serializeOrNull(this.biasConstraint, constraints.serialize),
    };
  }
}
