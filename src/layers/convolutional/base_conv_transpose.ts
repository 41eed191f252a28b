import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { convTranspose } from "../../ops/nn/conv.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer } from "../layer.js";
import { type ConvArgs, serializeOrNull } from "./base_conv.js";
import {
  biasShape,
  type DataFormat,
  inputChannels,
  positiveInt,
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
} from "./conv_args.js";

export interface ConvTransposeArgs extends Omit<ConvArgs, "groups"> {
  /** Extra size at the end of each output axis, smaller than the stride; null (default) for Keras's sizes. */
  outputPadding?: number | readonly number[] | null;
}

/**
 * The N-d transposed convolution layer (Keras's BaseConvTranspose): kernel [...kernelSize, filters,
 * inChannels] and bias [filters]. Output sizes as Keras: valid (n-1)*s + max(k, s), same n*s.
 */
export class BaseConvTranspose extends Layer {
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: string;
  readonly outputPadding: number[] | null;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
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

  constructor(rank: number, filters: number, kernelSize: number | readonly number[], args: ConvTransposeArgs = {}) {
    super(args);
    const who = this.describe();
    this.rank = rank;
    this.filters = positiveInt(filters, "filters", who);
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernelSize", who);
    this.strides = standardizeTuple(args.strides ?? 1, rank, "strides", who);
    this.dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilationRate", who);
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new Error(
        `${who}: strides > 1 is not supported together with dilationRate > 1, received strides=[${this.strides}] and dilationRate=[${this.dilationRate}].`,
      );
    }
    this.padding = standardizePadding(args.padding, who);
    const op = args.outputPadding;
    this.outputPadding =
      op === undefined || op === null ? null : standardizeTuple(op, rank, "outputPadding", who, true);
    this.outputPadding?.forEach((p, i) => {
      if (p >= this.strides[i]) {
        throw new Error(
          `${who}: outputPadding must be smaller than the strides along every axis, received outputPadding=[${this.outputPadding}] and strides=[${this.strides}].`,
        );
      }
    });
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
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [axis]: channels } });
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, this.filters, channels],
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

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y = convTranspose(inputs as AnyTensor, this.kernel.value, {
      strides: this.strides,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
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
      outputPadding: this.outputPadding ? this.outputPadding.slice() : null,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate.slice(),
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
