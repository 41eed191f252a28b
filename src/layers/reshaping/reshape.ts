import type { DType } from "../../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/**
 * Reshapes the inputs to [batch, ...targetShape] (Keras's Reshape); the batch axis is kept and one
 * entry of targetShape may be -1, inferred from the other sizes.
 */
export class Reshape extends Layer {
  readonly targetShape: number[];

  constructor(targetShape: readonly number[], args: LayerArgs = {}) {
    super(args);
    if (!Array.isArray(targetShape)) {
      throw new TypeError(
        `${this.describe()}: targetShape must be an array of integers, received ${String(targetShape)}.`,
      );
    }
    const bad = targetShape.some((d) => !Number.isInteger(d) || (d < 0 && d !== -1));
    if (bad || targetShape.filter((d) => d === -1).length > 1) {
      throw new Error(
        `${this.describe()}: targetShape must hold non-negative integers and at most one -1, received ${shapeToString(targetShape)}.`,
      );
    }
    this.targetShape = targetShape.slice();
    this.built = true;
  }

  /** The output shape without the batch axis, -1 resolved when the input sizes allow (else null). */
  private resolve(inputShape: SpecShape): SpecShape {
    const inner = inputShape.slice(1);
    const target = this.targetShape;
    const unknown = target.indexOf(-1);
    const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const inSize = inner.includes(null) ? null : (inner as number[]).reduce((a, b) => a * b, 1);
    const fail = () =>
      new Error(
        `${this.describe()}: the input of shape ${shapeToString(inputShape)} cannot be reshaped to targetShape ${shapeToString(target)}${inSize === null ? "" : ` (${inSize} elements per sample)`}.`,
      );
    if (unknown < 0) {
      if (inSize !== null && inSize !== known) throw fail();
      return target.slice();
    }
    const out: SpecShape = target.slice();
    if (inSize === null) out[unknown] = null;
    else {
      if (known === 0 || inSize % known !== 0) throw fail();
      out[unknown] = inSize / known;
    }
    return out;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    const inner = this.resolve(x.shape);
    const batch = x.shape[0];
    // Symbolic inputs may leave the batch or the -1 entry unknown; reshape infers one -1 at most.
    return reshape(x, [batch ?? -1, ...inner.map((d) => d ?? -1)]);
  }

  /** Given by hand as in Keras: an unknown batch and an unknown -1 entry together are beyond reshape's one -1. */
  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    const shape = inputShape as SpecShape;
    return [shape[0] ?? null, ...this.resolve(shape)];
  }

  protected override computeDtype(inputs: Nested<AnyTensor>): DType {
    return (inputs as AnyTensor).dtype;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape.slice() };
  }
}
