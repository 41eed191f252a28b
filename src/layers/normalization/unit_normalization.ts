import { isFloat } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import { cast, maximum, multiply, rsqrt, square } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduction.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { canonicalAxes } from "./norm_args.js";

export interface UnitNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over (default -1). */
  axis?: number | readonly number[];
}

/**
 * Keras's UnitNormalization: scales each sample to unit L2 norm along `axis` (default -1, or a list):
 * x * rsqrt(max(sum(x²), 1e-24)), as keras.ops.normalize with epsilon 1e-12.
 */
export class UnitNormalization extends Layer {
  readonly axis: number | number[];

  constructor(args: UnitNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    const ok = (a: unknown) => Number.isInteger(a);
    if (!(typeof axis === "number" ? ok(axis) : Array.isArray(axis) && axis.every(ok))) {
      throw new TypeError(
        `${this.describe()}: axis must be an integer or a list of integers, received ${JSON.stringify(axis)}.`,
      );
    }
    this.axis = typeof axis === "number" ? axis : axis.slice();
    this.supportsMasking = true;
    this.built = true;
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    canonicalAxes(this.axis, inputShape as SpecShape, this.describe());
    return (inputShape as SpecShape).slice();
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (!isFloat(x.dtype)) x = cast(x, "float32");
    const axes = canonicalAxes(this.axis, x.shape, this.describe());
    return multiply(x, rsqrt(maximum(sum(square(x), axes, true), 1e-24)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: typeof this.axis === "number" ? this.axis : this.axis.slice() };
  }
}
