import type { SpecShape } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { add, multiply } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import { uniform } from "../../random/random.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { unitIntervalArg } from "./noise_args.js";

export interface AlphaDropoutArgs extends LayerArgs {
  /** Shape of the keep mask (the inputs' rank; null takes the input's size, 1 shares it along an axis). */
  noiseShape?: (number | null)[] | null;
  seed?: number | null;
}

const ALPHA = 1.6732632423543772;
const SCALE = 1.0507009873554805;

/**
 * Dropout that keeps the mean and variance of SELU activations (Keras's AlphaDropout): while
 * training, dropped entries become -alpha·scale and the result is `a·x + b` with Keras's affine
 * correction a = ((1 - rate)(1 + rate·alpha_p²))^-½, b = -a·alpha_p·rate.
 */
export class AlphaDropout extends Layer {
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, args: AlphaDropoutArgs = {}) {
    super(args);
    this.rate = unitIntervalArg(this, "rate", rate);
    const noiseShape = args.noiseShape ?? null;
    if (
      noiseShape !== null &&
      (!Array.isArray(noiseShape) || noiseShape.some((d) => d !== null && !(Number.isInteger(d) && d > 0)))
    ) {
      throw new Error(
        `${this.describe()}: noiseShape must be an array of positive integers or null, received ${JSON.stringify(noiseShape)}.`,
      );
    }
    this.noiseShape = noiseShape ? noiseShape.slice() : null;
    this.seed = args.seed ?? null;
    this.seedGenerator = rate > 0 ? new SeedGenerator(this.seed ?? undefined) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    return inputShape;
  }

  override call(inputs: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    if (!training || !this.seedGenerator) return x;
    const shape = x.shape as number[];
    let noiseShape = shape;
    if (this.noiseShape) {
      if (this.noiseShape.length !== shape.length) {
        throw new Error(
          `${this.describe()}: noiseShape ${JSON.stringify(this.noiseShape)} must have the inputs' rank, received inputs of shape [${shape.join(", ")}].`,
        );
      }
      noiseShape = this.noiseShape.map((d, i) => d ?? shape[i]);
    }
    const u = uniform(noiseShape, { dtype: x.dtype, seed: this.seedGenerator });
    // kept = 1 where u >= rate (as Keras's greater_equal), as a constant of x's dtype.
    const kept = Tensor.empty(noiseShape, x.dtype);
    for (let i = 0; i < u.size; i++) kept.data[i] = u.data[i] >= this.rate ? 1 : 0;
    const alphaP = -ALPHA * SCALE;
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    const dropped = Tensor.empty(noiseShape, x.dtype);
    for (let i = 0; i < kept.size; i++) dropped.data[i] = alphaP * (1 - kept.data[i]);
    // a * (x * kept + alpha_p * (1 - kept)) + b, with the mask broadcast over shared axes.
    return add(multiply(add(multiply(x, kept), dropped), a), b);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): AlphaDropout {
    const { rate, ...rest } = config;
    return new AlphaDropout(rate as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, noiseShape: this.noiseShape };
  }
}
