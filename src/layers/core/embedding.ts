import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { cast, notEqual } from "../../ops/elementwise.js";
import { take } from "../../ops/indexing.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface EmbeddingArgs extends LayerArgs {
  embeddingsInitializer?: initializers.InitializerIdentifier;
  embeddingsRegularizer?: regularizers.RegularizerIdentifier | null;
  embeddingsConstraint?: constraints.ConstraintIdentifier | null;
  /** Whether index 0 is padding: the layer then outputs the mask `inputs != 0`. */
  maskZero?: boolean;
}

/**
 * Turns non-negative integer indices into dense vectors (Keras's Embedding): `embeddings[inputs]`,
 * with the weight `embeddings` of shape [inputDim, outputDim]. Output shape: [...inputShape, outputDim].
 */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: initializers.Initializer;
  readonly embeddingsRegularizer: regularizers.Regularizer | null;
  readonly embeddingsConstraint: constraints.Constraint | null;
  readonly maskZero: boolean;
  embeddings!: Variable;

  constructor(inputDim: number, outputDim: number, args: EmbeddingArgs = {}) {
    super(args);
    for (const [name, v] of [
      ["inputDim", inputDim],
      ["outputDim", outputDim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new Error(`${this.describe()}: ${name} must be a positive integer, received ${String(v)}.`);
      }
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.embeddingsInitializer = initializers.get(args.embeddingsInitializer ?? "uniform");
    this.embeddingsRegularizer = regularizers.get(args.embeddingsRegularizer ?? null);
    this.embeddingsConstraint = constraints.get(args.embeddingsConstraint ?? null);
    this.maskZero = args.maskZero ?? false;
    this.supportsMasking = this.maskZero;
  }

  override build(_inputShape: Nested<SpecShape>): void {
    this.embeddings = this.addWeight({
      name: "embeddings",
      shape: [this.inputDim, this.outputDim],
      initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer,
      constraint: this.embeddingsConstraint,
      trainable: true,
    });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (x.dtype !== "int32") x = cast(x, "int32");
    return take(this.embeddings, x, 0);
  }

  override computeMask(inputs: Nested<AnyTensor>, _mask: Nested<AnyTensor | null> | null): AnyTensor | null {
    if (!this.maskZero) return null;
    return notEqual(inputs as AnyTensor, 0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: initializers.serialize(this.embeddingsInitializer),
      embeddingsRegularizer: this.embeddingsRegularizer ? regularizers.serialize(this.embeddingsRegularizer) : null,
      activityRegularizer: this.activityRegularizer ? regularizers.serialize(this.activityRegularizer) : null,
      embeddingsConstraint: this.embeddingsConstraint ? constraints.serialize(this.embeddingsConstraint) : null,
      maskZero: this.maskZero,
    };
  }
}
