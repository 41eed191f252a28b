import type { DType } from "./dtypes.js";
import { type SpecShape, shapeToString } from "./shape.js";

/**
 * Where a symbolic tensor came from: an op applied to other tensors, a layer call, or an input.
 * The records themselves are defined by the modules that make them (ops, symbolic); here it is opaque.
 */
export interface SymbolicHistory {
  readonly kind: string;
}

let counter = 0;

/**
 * A symbolic tensor (Keras's KerasTensor): a shape with `null` for unknown dimensions, a dtype, and
 * the history that produced it. It holds no values. Every op accepts it and returns another one.
 */
export class SymbolicTensor {
  readonly isSymbolic = true as const;
  readonly shape: SpecShape;
  readonly dtype: DType;
  readonly history: SymbolicHistory | null;
  name: string;

  constructor(shape: SpecShape, dtype: DType, history: SymbolicHistory | null = null, name?: string) {
    this.shape = shape;
    this.dtype = dtype;
    this.history = history;
    this.name = name ?? `keras_tensor_${counter++}`;
  }

  get rank(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<SymbolicTensor shape=${shapeToString(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}
