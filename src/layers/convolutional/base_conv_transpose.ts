import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { convTranspose } from "../../ops/nn/conv.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer } from "../layer.js";
import { weightOptions, weightOptionsConfig } from "../weight_options.js";
import type { ConvArgs } from "./base_conv.js";
import { type DataFormat, positiveInt, spatialConfig, standardizeSpatialArgs, standardizeTuple } from "./conv_args.js";
import { addBias, convInput } from "./conv_io.js";

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
    ({
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      padding: this.padding,
      dataFormat: this.dataFormat,
    } = standardizeSpatialArgs(rank, kernelSize, args, who, { stridedDilation: false }));
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
    const { channels, inputSpec } = convInput(shape, this.rank, this.dataFormat, this.describe());
    this.inputSpec = inputSpec;
    const kernelShape = [...this.kernelSize, this.filters, channels];
    this.kernel = this.addWeight({ name: "kernel", shape: kernelShape, ...weightOptions(this, "kernel") });
    if (this.useBias)
      this.bias = this.addWeight({ name: "bias", shape: [this.filters], ...weightOptions(this, "bias") });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y: AnyTensor = convTranspose(inputs as AnyTensor, this.kernel.value, {
      strides: this.strides,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilationRate: this.dilationRate,
      dataFormat: this.dataFormat,
    });
    if (this.bias) y = addBias(y, this.bias, this.rank, this.dataFormat);
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...spatialConfig(this, { outputPadding: this.outputPadding ? this.outputPadding.slice() : null }),
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
      ...weightOptionsConfig(this, ["kernel", "bias"], true),
    };
  }
}
