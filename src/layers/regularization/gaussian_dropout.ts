import type { SpecShape } from "../../backend/shape.js";
import { multiply } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import { normal } from "../../random/random.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { unitIntervalArg } from "./noise_args.js";

export interface GaussianDropoutArgs extends LayerArgs {
  seed?: number | null;
}

/**
 * Multiplies the inputs by 1-centred Gaussian noise of standard deviation sqrt(rate / (1 - rate))
 * while training (Keras's GaussianDropout).
 */
export class GaussianDropout extends Layer {
  readonly rate: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, args: GaussianDropoutArgs = {}) {
    super(args);
    this.rate = unitIntervalArg(this, "rate", rate);
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
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    const noise = normal(x.shape as number[], { mean: 1, stddev, dtype: x.dtype, seed: this.seedGenerator });
    return multiply(x, noise);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): GaussianDropout {
    const { rate, ...rest } = config;
    return new GaussianDropout(rate as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
