import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import type { ConstraintIdentifier } from "../../constraints/index.js";
import type { InitializerIdentifier } from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/linalg.js";
import { dense } from "../../ops/nn/dense.js";
import type { AnyTensor } from "../../ops/types.js";
import type { RegularizerIdentifier } from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { fusedActivation } from "../fused_activation.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface DenseArgs extends LayerArgs {
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

/** `activation(inputs · kernel + bias)` (Keras's Dense); kernel [inputDim, units], bias [units]. */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: activations.Activation;
  readonly useBias: boolean;
  readonly args: DenseArgs;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(units: number, args: DenseArgs = {}) {
    super(args);
    if (!Number.isInteger(units) || units <= 0) {
      throw new Error(`${this.describe()}: units must be a positive integer, received ${units}.`);
    }
    this.units = units;
    this.activation = activations.get(args.activation);
    this.useBias = args.useBias ?? true;
    this.args = args;
    this.inputSpec = new InputSpec({ minNdim: 2 });
    this.supportsMasking = true;
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null || inputDim === undefined) {
      throw new Error(
        `${this.describe()}: the last axis of the input must be known, received shape [${shape.join(", ")}].`,
      );
    }
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [inputDim, this.units],
      initializer: this.args.kernelInitializer ?? "glorot_uniform",
      regularizer: this.args.kernelRegularizer,
      constraint: this.args.kernelConstraint,
    });
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias",
        shape: [this.units],
        initializer: this.args.biasInitializer ?? "zeros",
        regularizer: this.args.biasRegularizer,
        constraint: this.args.biasConstraint,
      });
    }
    this.inputSpec = new InputSpec({ minNdim: 2, axes: { [-1]: inputDim } });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    const fused = fusedActivation(this.activation);
    if (fused !== undefined && x.dtype === this.kernel.dtype) {
      // Product, bias and activation as one op: one output tensor, one activation gradient from it.
      return dense(x, this.kernel.value, this.bias?.value ?? null, fused);
    }
    let y: AnyTensor = matmul(x, this.kernel);
    if (this.bias) y = add(y, this.bias);
    return this.activation(y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      useBias: this.useBias,
    };
  }
}
