import type { DType } from "../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../backend/shape.js";

export interface InputSpecArgs {
  dtype?: DType;
  shape?: SpecShape;
  ndim?: number;
  maxNdim?: number;
  minNdim?: number;
  /** Required sizes of given axes, e.g. `{ [-1]: 784 }`. */
  axes?: Record<number, number | null>;
  allowLastAxisSqueeze?: boolean;
  name?: string;
  optional?: boolean;
}

/** What a layer accepts as input (Keras's InputSpec): rank, axis sizes, dtype. */
export class InputSpec {
  dtype?: DType;
  shape?: SpecShape;
  ndim?: number;
  maxNdim?: number;
  minNdim?: number;
  axes: Record<number, number | null>;
  allowLastAxisSqueeze: boolean;
  name?: string;
  optional: boolean;

  constructor(args: InputSpecArgs = {}) {
    this.dtype = args.dtype;
    this.shape = args.shape;
    this.ndim = args.shape ? args.shape.length : args.ndim;
    this.maxNdim = args.maxNdim;
    this.minNdim = args.minNdim;
    this.axes = args.axes ?? {};
    this.allowLastAxisSqueeze = args.allowLastAxisSqueeze ?? false;
    this.name = args.name;
    this.optional = args.optional ?? false;
  }
}

/** Throws an error naming the layer, the input, the expectation and the received shape. */
export function assertInputCompatibility(
  specs: InputSpec | (InputSpec | null)[] | null,
  inputs: readonly { shape: SpecShape; dtype: DType }[],
  layer: string | { describe(): string },
): void {
  // Named only when an error is thrown: this runs on every layer call.
  const name = () => (typeof layer === "string" ? layer : layer.describe());
  if (!specs) return;
  const list = Array.isArray(specs) ? specs : [specs];
  if (list.length !== inputs.length && !(list.length === 1 && inputs.length === 1)) {
    if (list.every((s) => s === null || s.optional)) return;
    throw new Error(`${name()} expects ${list.length} input(s), but it received ${inputs.length} input tensors.`);
  }
  list.forEach((spec, i) => {
    if (!spec) return;
    const x = inputs[i];
    const where = () => `${name()}: input ${i} is incompatible with the layer:`;
    const got = () => `received input with shape ${shapeToString(x.shape)}`;
    const rank = x.shape.length;
    if (spec.ndim !== undefined && !spec.allowLastAxisSqueeze && rank !== spec.ndim) {
      throw new Error(`${where()} expected ndim=${spec.ndim}, found ndim=${rank}; ${got()}.`);
    }
    if (spec.maxNdim !== undefined && rank > spec.maxNdim) {
      throw new Error(`${where()} expected max_ndim=${spec.maxNdim}, found ndim=${rank}; ${got()}.`);
    }
    if (spec.minNdim !== undefined && rank < spec.minNdim) {
      throw new Error(`${where()} expected min_ndim=${spec.minNdim}, found ndim=${rank}; ${got()}.`);
    }
    if (spec.dtype !== undefined && x.dtype !== spec.dtype) {
      throw new Error(`${where()} expected dtype=${spec.dtype}, found dtype=${x.dtype}; ${got()}.`);
    }
    for (const [key, size] of Object.entries(spec.axes)) {
      const axis = Number(key);
      const a = axis < 0 ? rank + axis : axis;
      const d = x.shape[a];
      if (size !== null && d !== null && d !== undefined && d !== size) {
        throw new Error(`${where()} expected axis ${axis} of the input shape to have size ${size}, but ${got()}.`);
      }
    }
    if (spec.shape) {
      spec.shape.forEach((want, j) => {
        const d = x.shape[j];
        if (want !== null && d !== null && d !== want) {
          throw new Error(`${where()} expected shape ${shapeToString(spec.shape as SpecShape)}, but ${got()}.`);
        }
      });
    }
  });
}
