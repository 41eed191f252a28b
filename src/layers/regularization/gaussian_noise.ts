import type { SpecShape } from "../../backend/shape.js";
import { add } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import { normal } from "../../random/random.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { unitIntervalArg } from "./noise_args.js";

export interface GaussianNoiseArgs extends LayerArgs {
  seed?: number | null;
}

/** Adds zero-centred Gaussian noise of standard deviation `stddev` while training (Keras's GaussianNoise). */
export class GaussianNoise extends Layer {
  readonly stddev: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(stddev: number, args: GaussianNoiseArgs = {}) {
    super(args);
    this.stddev = unitIntervalArg(this, "stddev", stddev);
    this.seed = args.seed ?? null;
    this.seedGenerator = stddev > 0 ? new SeedGenerator(this.seed ?? undefined) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    return inputShape;
  }

  override call(inputs: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    if (!training || !this.seedGenerator) return x;
    const noise = normal(x.shape as number[], { stddev: this.stddev, dtype: x.dtype, seed: this.seedGenerator });
    return add(x, noise);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): GaussianNoise {
    const { stddev, ...rest } = config;
    return new GaussianNoise(stddev as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}
