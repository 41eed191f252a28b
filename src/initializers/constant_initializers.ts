/** Initializers with no randomness: Constant, Zeros, Ones, Identity (Keras's constant_initializers). */
import type { DType } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { eye, full } from "../ops/creation.js";
import { checkCallArgs, Initializer } from "./initializer.js";

function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${where}: ${name} must be a finite number, received ${String(v)}.`);
  }
  return v;
}

/** Fills the tensor with one scalar `value` (default 0), converted to the requested dtype. */
export class Constant extends Initializer {
  readonly value: number;

  constructor(value: number | { value?: number } = 0) {
    super();
    const v = typeof value === "object" && value !== null ? (value.value ?? 0) : value;
    this.value = finite("Constant", "value", v);
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = checkCallArgs("Constant", shape, dtype);
    // Keras casts the value to the dtype: int32 truncates toward zero.
    return full(shape, d === "int32" ? Math.trunc(this.value) : this.value, d);
  }

  override getConfig(): Record<string, unknown> {
    return { value: this.value };
  }
}

/** Fills the tensor with zeros. */
export class Zeros extends Initializer {
  override call(shape: number[], dtype: DType = "float32"): Tensor {
    return full(shape, 0, checkCallArgs("Zeros", shape, dtype));
  }
}

/** Fills the tensor with ones. */
export class Ones extends Initializer {
  override call(shape: number[], dtype: DType = "float32"): Tensor {
    return full(shape, 1, checkCallArgs("Ones", shape, dtype));
  }
}

/** `gain` times the identity matrix (ones on the main diagonal of a 2-D shape, rectangular allowed). */
export class Identity extends Initializer {
  readonly gain: number;

  constructor({ gain = 1 }: { gain?: number } = {}) {
    super();
    this.gain = finite("Identity", "gain", gain);
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = checkCallArgs("Identity", shape, dtype);
    if (shape.length !== 2) {
      throw new Error(
        `Identity: the identity matrix initializer can only be used for 2-D shapes, received shape ${shapeToString(shape)} of rank ${shape.length}.`,
      );
    }
    const t = eye(shape[0], shape[1], 0, d);
    if (this.gain !== 1 && d !== "bool") {
      const g = d === "int32" ? Math.trunc(this.gain) : this.gain;
      for (let i = 0; i < t.data.length; i++) t.data[i] *= g;
    }
    return t;
  }

  override getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}
