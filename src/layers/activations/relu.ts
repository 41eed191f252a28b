import { clip, greater, multiply, subtract, where } from "../../ops/elementwise.js";
import { leakyRelu, relu, relu6 } from "../../ops/nn/activations.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface ReLUArgs extends LayerArgs {
  /** Saturation value (>= 0); null for none. */
  maxValue?: number | null;
  /** Slope below the threshold (>= 0, default 0). */
  negativeSlope?: number;
  /** Values at or below it are damped (>= 0, default 0). */
  threshold?: number;
}

/**
 * Keras's activations.relu with its options: x where x > threshold (else 0), clipped to maxValue,
 * minus negativeSlope * relu(threshold - x).
 */
export function reluWithOptions(
  x: AnyTensor,
  negativeSlope: number,
  maxValue: number | null,
  threshold: number,
): AnyTensor {
  if (negativeSlope !== 0 && maxValue === null && threshold === 0) return leakyRelu(x, negativeSlope);
  let y: AnyTensor;
  let clipMax = maxValue !== null;
  if (threshold !== 0) y = where(greater(x, threshold), x, 0);
  else if (maxValue === 6) {
    y = relu6(x);
    clipMax = false;
  } else y = relu(x);
  if (clipMax) y = clip(y, 0, maxValue as number);
  if (negativeSlope !== 0) y = subtract(y, multiply(negativeSlope, relu(subtract(threshold, x))));
  return y;
}

/** Rectified linear unit with Keras's options (Keras's ReLU layer). */
export class ReLU extends Layer {
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    const { maxValue = null, negativeSlope = 0, threshold = 0 } = args;
    if (maxValue !== null && !(maxValue >= 0)) {
      throw new Error(`${this.describe()}: maxValue cannot be a negative value, received maxValue=${maxValue}.`);
    }
    if (negativeSlope === null || !(negativeSlope >= 0)) {
      throw new Error(
        `${this.describe()}: negativeSlope cannot be null or a negative value, received negativeSlope=${negativeSlope}.`,
      );
    }
    if (threshold === null || !(threshold >= 0)) {
      throw new Error(
        `${this.describe()}: threshold cannot be null or a negative value, received threshold=${threshold}.`,
      );
    }
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return reluWithOptions(inputs as AnyTensor, this.negativeSlope, this.maxValue, this.threshold);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      maxValue: this.maxValue,
      negativeSlope: this.negativeSlope,
      threshold: this.threshold,
    };
  }
}
