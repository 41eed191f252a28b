import { toTensor } from "../backend/convert.js";
import type { TypedArray } from "../backend/dtypes.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { type NestedArray, Tensor } from "../backend/tensor.js";
import { isLeafValue, type Layer } from "../layers/layer.js";
import type { AnyTensor } from "../ops/types.js";
import { flatten, mapStructure, type Nested, packSequenceAs } from "../tree/index.js";
import { concatRows, sliceRows } from "../utils/batching.js";

/** Data a model accepts: tensors, typed arrays or nested arrays, one per input (arrays or named objects for several). */
export type ModelData = Tensor | TypedArray | NestedArray | readonly ModelData[] | { readonly [k: string]: ModelData };

export interface PredictOptions {
  batchSize?: number;
  verbose?: number | "auto";
}

function isDataLeaf(x: unknown): boolean {
  return x instanceof Tensor || x instanceof SymbolicTensor || ArrayBuffer.isView(x);
}

function numberArray(x: unknown): boolean {
  return (
    Array.isArray(x) && flatten(x as Nested<unknown>).every((v) => typeof v === "number" || typeof v === "boolean")
  );
}

/**
 * Converts user data to tensors in the structure of the model's inputs. An array is a list of inputs
 * when the model has several; a nested array of numbers is one tensor.
 */
export function toInputTensors(x: ModelData, model: Layer, what = "predict"): Nested<Tensor> {
  const converted = numberArray(x)
    ? toTensor(x as NestedArray)
    : mapStructure(
        x as Nested<unknown>,
        (leaf) => {
          if (leaf instanceof SymbolicTensor) {
            throw new TypeError(
              `Model '${model.name}'.${what}: received a symbolic tensor ('${leaf.name}'), which holds no values. Pass concrete data (a Tensor, typed array or nested array); to apply the model to symbolic tensors, call model(x).`,
            );
          }
          return leaf instanceof Tensor ? leaf : toTensor(leaf as NestedArray);
        },
        (v) => isDataLeaf(v) || numberArray(v),
      );
  return converted as Nested<Tensor>;
}

/** predict(): the data in batches through the model with training false, outputs joined along the batch axis. */
export function predictBatched(model: Layer, x: ModelData, options: PredictOptions): Nested<Tensor> {
  const inputs = toInputTensors(x, model);
  const flatIn = flatten(inputs, isLeafValue) as Tensor[];
  if (flatIn.length === 0) throw new Error(`Model '${model.name}'.predict: received no input data.`);
  const n = flatIn[0].shape[0];
  flatIn.forEach((t, i) => {
    if (t.shape[0] !== n) {
      throw new Error(
        `Model '${model.name}'.predict: all inputs must have the same number of samples; input 0 has ${n}, input ${i} has ${t.shape[0]}.`,
      );
    }
  });
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Model '${model.name}'.predict: batchSize must be a positive integer, received ${batchSize}.`);
  }
  let structure: Nested<AnyTensor> | null = null;
  const collected: Tensor[][] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = packSequenceAs(
      inputs,
      flatIn.map((t) => sliceRows(t, start, end)),
      isLeafValue,
    );
    const out = model.apply(batch as Nested<AnyTensor>, { training: false });
    structure ??= out;
    flatten(out, isLeafValue).forEach((t, i) => {
      (collected[i] ??= []).push(t as Tensor);
    });
  }
  if (structure === null) throw new Error(`Model '${model.name}'.predict: the input data has no samples.`);
  return packSequenceAs(structure, collected.map(concatRows), isLeafValue) as Nested<Tensor>;
}
