import { zerosLike } from "../../ops/creation.js";
import type { AnyTensor } from "../../ops/types.js";
import { dropout } from "../../random/dropout.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface DropoutArgs extends LayerArgs {
  /** Shape of the binary mask (the inputs' rank; 1 to share it along an axis, null for the input's size). */
  noiseShape?: (number | null)[] | null;
  seed?: number | null;
}

/**
 * Sets a fraction `rate` of the inputs to 0 while training and scales the rest by 1 / (1 - rate)
 * (Keras's Dropout); the identity in inference. Each call draws a new mask from the layer's seed generator.
 */
export class Dropout extends Layer {
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, args: DropoutArgs = {}) {
    super(args);
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new Error(
        `${this.describe()}: invalid value received for argument \`rate\`: expected a float value between 0 and 1, received rate=${String(rate)}.`,
      );
    }
    const noiseShape = args.noiseShape ?? null;
    if (noiseShape !== null) {
      if (!Array.isArray(noiseShape)) {
        throw new Error(
          `${this.describe()}: noiseShape must be an array of integers or null, received ${String(noiseShape)}.`,
        );
      }
      noiseShape.forEach((d, i) => {
        if (d !== null && (!Number.isInteger(d) || d <= 0)) {
          throw new Error(
            `${this.describe()}: noiseShape must hold positive integers or null, received ${String(d)} at index ${i}.`,
          );
        }
      });
    }
    this.rate = rate;
    this.noiseShape = noiseShape ? noiseShape.slice() : null;
    this.seed = args.seed ?? null;
    this.seedGenerator = rate > 0 ? new SeedGenerator(this.seed ?? undefined) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  override call(inputs: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    if (!training || this.rate === 0 || !this.seedGenerator) return x;
    // rate 1 drops everything (Keras selects zeros where the keep probability is 0).
    if (this.rate === 1) return zerosLike(x);
    return dropout(x, this.rate, { noiseShape: this.noiseShape, seed: this.seedGenerator });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, noiseShape: this.noiseShape };
  }
}
