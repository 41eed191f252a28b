import { shapeToString } from "../../backend/shape.js";
import { cast, greater, where } from "../../ops/elementwise.js";
import { softmax } from "../../ops/nn/activations.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface SoftmaxArgs extends LayerArgs {
  /** The axis, or axes, normalized over (default -1). */
  axis?: number | number[];
}

/** Keras's _large_negative_number for float32/float64 (float16 would use -3e4). */
const LARGE_NEGATIVE = -1e9;

/**
 * Softmax along `axis` (Keras's Softmax). With a mask (broadcastable to the inputs), masked positions
 * get -1e9 before the softmax and 0 after it.
 */
export class Softmax extends Layer {
  readonly axis: number | number[];

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, { mask }: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    let m = (mask ?? null) as AnyTensor | null;
    if (Array.isArray(m)) m = (m[0] ?? null) as AnyTensor | null;
    if (m) {
      const bad = () =>
        new Error(
          `${this.describe()}: the mask must be broadcastable to the inputs (each mask axis 1 or the input's size, and no more axes than the inputs); received inputs of shape ${shapeToString(x.shape)} and a mask of shape ${shapeToString(m?.shape ?? [])}.`,
        );
      if (m.shape.length > x.shape.length) throw bad();
      for (let k = 1; k <= m.shape.length; k++) {
        const md = m.shape[m.shape.length - k];
        const xd = x.shape[x.shape.length - k];
        if (md !== null && xd !== null && md !== 1 && md !== xd) throw bad();
      }
      if (m.dtype !== "bool") m = greater(cast(m, "float32"), 0.5);
      x = where(m, x, LARGE_NEGATIVE);
    }
    const axis = Array.isArray(this.axis) && this.axis.length === 1 ? this.axis[0] : this.axis;
    const y = softmax(x, axis);
    return m ? where(m, y, 0) : y;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
