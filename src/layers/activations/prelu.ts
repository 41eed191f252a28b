import { type SpecShape, shapeToString } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { multiply, negative, subtract } from "../../ops/elementwise.js";
import { relu } from "../../ops/nn/activations.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface PReLUArgs extends LayerArgs {
  alphaInitializer?: initializers.InitializerIdentifier;
  alphaRegularizer?: regularizers.RegularizerIdentifier | null;
  alphaConstraint?: constraints.ConstraintIdentifier | null;
  /** Axes (1-based, the batch axis being 0) along which alpha is shared, e.g. [1, 2] for images. */
  sharedAxes?: number | number[] | null;
}

/**
 * Parametric ReLU (Keras's PReLU): relu(x) - alpha * relu(-x), with a learned weight `alpha` of the
 * input's shape without the batch axis (size 1 on the shared axes).
 */
export class PReLU extends Layer {
  readonly alphaInitializer: initializers.Initializer;
  readonly alphaRegularizer: regularizers.Regularizer | null;
  readonly alphaConstraint: constraints.Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha!: Variable;

  constructor(args: PReLUArgs = {}) {
    super(args);
    this.supportsMasking = true;
    this.alphaInitializer = initializers.get(args.alphaInitializer ?? "zeros");
    this.alphaRegularizer = regularizers.get(args.alphaRegularizer ?? null);
    this.alphaConstraint = constraints.get(args.alphaConstraint ?? null);
    const shared = args.sharedAxes ?? null;
    this.sharedAxes = shared === null ? null : typeof shared === "number" ? [shared] : shared.slice();
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const paramShape = shape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (!Number.isInteger(a) || a < 1 || a >= shape.length) {
        throw new Error(
          `${this.describe()}: sharedAxes must hold axes in [1, ${shape.length - 1}] (the batch axis is 0), received [${String(this.sharedAxes)}] for inputs of shape ${shapeToString(shape)}.`,
        );
      }
      paramShape[a - 1] = 1;
    }
    if (paramShape.includes(null)) {
      throw new Error(
        `${this.describe()}: the input axes that alpha does not share must have known sizes, received input shape ${shapeToString(shape)} with sharedAxes ${this.sharedAxes ? `[${this.sharedAxes}]` : "null"}.`,
      );
    }
    this.alpha = this.addWeight({
      name: "alpha",
      shape: paramShape as number[],
      initializer: this.alphaInitializer,
      regularizer: this.alphaRegularizer,
      constraint: this.alphaConstraint,
    });
    const axes: Record<number, number | null> = {};
    if (this.sharedAxes?.length) {
      for (let i = 1; i < shape.length; i++) if (!this.sharedAxes.includes(i)) axes[i] = shape[i];
    }
    this.inputSpec = new InputSpec({ ndim: shape.length, axes });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    return subtract(relu(x), multiply(this.alpha, relu(negative(x))));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alphaInitializer: initializers.serialize(this.alphaInitializer),
      alphaRegularizer: this.alphaRegularizer ? regularizers.serialize(this.alphaRegularizer) : null,
      alphaConstraint: this.alphaConstraint ? constraints.serialize(this.alphaConstraint) : null,
      sharedAxes: this.sharedAxes,
    };
  }
}
