import type { SpecShape } from "../../backend/shape.js";
import { divide } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import { L1L2 } from "../../regularizers/regularizers.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface ActivityRegularizationArgs extends Omit<LayerArgs, "activityRegularizer"> {
  l1?: number;
  l2?: number;
}

/**
 * The identity, adding `(l1·Σ|x| + l2·Σx²) / batchSize` to the layer's losses at each call
 * (Keras's ActivityRegularization: an L1L2 activity regularizer, normalized by the batch size as
 * Keras 3's Layer does for activity regularizers).
 */
export class ActivityRegularization extends Layer {
  readonly l1: number;
  readonly l2: number;
  readonly regularizer: L1L2;

  constructor(args: ActivityRegularizationArgs = {}) {
    super(args);
    this.l1 = args.l1 ?? 0;
    this.l2 = args.l2 ?? 0;
    try {
      this.regularizer = new L1L2({ l1: this.l1, l2: this.l2 });
    } catch (e) {
      throw new Error(`${this.describe()}: ${(e as Error).message}`, { cause: e });
    }
    this.supportsMasking = true;
    this.built = true;
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    return inputShape;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    let loss = this.regularizer.call(x);
    // Keras divides by the batch size (divide_no_nan: an empty batch adds 0).
    const batch = x.shape.length > 0 ? x.shape[0] : null;
    if (batch !== null && x.shape.length > 0) loss = batch === 0 ? divide(loss, 1) : divide(loss, batch);
    this.addLoss(loss);
    return x;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): ActivityRegularization {
    return new ActivityRegularization(config);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), l1: this.l1, l2: this.l2 };
  }
}
