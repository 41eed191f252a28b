import { toTensor } from "../backend/convert.js";
import { type DType, standardizeDType } from "../backend/dtypes.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { convertToTensor } from "../ops/creation.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { toSnakeCase, uniqueName } from "../utils/naming.js";

export interface MetricArgs {
  name?: string;
  dtype?: DType | string;
}

/**
 * A stateful metric (Keras's Metric): `updateState` accumulates into its variables, `result` reads
 * them, `resetState` zeroes them. Epoch figures are computed over every batch seen, not averaged.
 * Metrics are never differentiated: updates run eagerly on concrete tensors.
 */
export abstract class Metric {
  name: string;
  readonly dtype: DType;
  protected readonly _variables: Variable[] = [];

  constructor(args: MetricArgs = {}) {
    // Keras's auto_name: "precision", "precision_1", ... for metrics without a default name.
    this.name = args.name ?? uniqueName(toSnakeCase(this.constructor.name));
    this.dtype = args.dtype ? standardizeDType(args.dtype, `metric '${this.name}'`) : "float32";
  }

  /** Creates a non-trainable state variable (zeros unless `initial` is given). */
  protected addVariable(shape: number[], name: string, dtype: DType = this.dtype, initial?: Tensor): Variable {
    const v = new Variable(initial ?? Tensor.empty(shape, dtype), { trainable: false, name, dtype });
    v.path = `${this.name}/${name}`;
    this._variables.push(v);
    return v;
  }

  get variables(): Variable[] {
    return this._variables.slice();
  }

  abstract updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): void;

  abstract result(): Tensor;

  /** Zeroes every state variable. */
  resetState(): void {
    for (const v of this._variables) v.assign(Tensor.empty(v.shape, v.dtype));
  }

  /** Keras's `metric(yTrue, yPred)`: updates the state and returns the result. */
  call(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): Tensor {
    this.updateState(yTrue, yPred, sampleWeight);
    return this.result();
  }

  /** The constructor options in camelCase (serialize writes them in snake_case). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }

  /** A new metric from `getConfig()`'s output (camelCase keys). */
  // biome-ignore lint/suspicious/noExplicitAny: subclasses take their own options.
  static fromConfig<T extends Metric>(this: new (args?: any) => T, config: Record<string, unknown>): T {
    return new this(config);
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}>`;
  }
}

/** A concrete tensor of `dtype` (or its own dtype) from a metric argument; symbolic tensors are refused. */
export function concrete(x: TensorInput, who: string, dtype?: DType): Tensor {
  if (x instanceof SymbolicTensor) {
    throw new TypeError(`${who}: metrics update on concrete values, received a symbolic tensor ${x.toString()}.`);
  }
  if (typeof x === "number") return toTensor(x, dtype ?? "float32");
  return convertToTensor(x as Tensor, dtype);
}

/** A constant tensor `value` of `dtype` with shape []. */
export function scalar(value: number, dtype: DType): Tensor {
  return toTensor(value, dtype);
}

export type { AnyTensor };
