/** The base class of initializers (Keras's `keras.initializers.Initializer`). */
import { type DType, standardizeDType } from "../backend/dtypes.js";
import type { Tensor } from "../backend/tensor.js";

/**
 * Makes the initial value of a weight from its shape and dtype. Subclasses implement `call` and,
 * when they take arguments, `getConfig` (Keras's config keys in camelCase) so that
 * `fromConfig(getConfig())` rebuilds an equivalent initializer.
 *
 *     class MyInit extends keras.initializers.Initializer {
 *       call(shape: number[], dtype: DType = "float32") { return keras.ops.full(shape, 0.5, dtype); }
 *     }
 */
export abstract class Initializer {
  abstract call(shape: number[], dtype: DType): Tensor;

  getConfig(): Record<string, unknown> {
    return {};
  }

  /** Rebuilds an initializer from `getConfig()`'s output (each built-in takes its config as options). */
  static fromConfig<T extends Initializer>(
    this: new (
      config: Record<string, unknown>,
    ) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(config);
  }

  /** A new initializer of the same class and config (Keras's `clone`). */
  clone(): this {
    const cls = this.constructor as unknown as { fromConfig(c: Record<string, unknown>): Initializer };
    return cls.fromConfig(this.getConfig()) as this;
  }
}

/** A plain function `(shape, dtype) => Tensor` used where an Initializer is expected. */
export class FunctionInitializer extends Initializer {
  constructor(readonly fn: (shape: number[], dtype: DType) => Tensor) {
    super();
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    return this.fn(shape, dtype);
  }

  override clone(): this {
    return new FunctionInitializer(this.fn) as this;
  }
}

/** Checks a shape argument and standardizes a dtype argument, naming the initializer in errors. */
export function checkCallArgs(where: string, shape: readonly number[], dtype: DType | string | undefined): DType {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `${where}: shape must be an array of non-negative integers, received ${Array.isArray(shape) ? `[${shape.join(", ")}]` : String(shape)}.`,
    );
  }
  return dtype === undefined ? "float32" : standardizeDType(dtype, where);
}
