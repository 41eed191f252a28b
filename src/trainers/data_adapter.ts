import { toTensor } from "../backend/convert.js";
import type { TypedArray } from "../backend/dtypes.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { type NestedArray, Tensor } from "../backend/tensor.js";
import { isLeafValue } from "../layers/layer.js";
import { flatten, mapStructure, type Nested, packSequenceAs } from "../tree/index.js";
import { gatherRows, sliceRows } from "../utils/batching.js";

/** Data a model accepts: tensors, typed arrays or nested arrays, one per input (arrays or named objects for several). */
export type ModelData = Tensor | TypedArray | NestedArray | readonly ModelData[] | { readonly [k: string]: ModelData };

/** One batch: inputs, targets (absent for predict) and sample weights. */
export type Batch = [Nested<Tensor>, Nested<Tensor> | undefined, Nested<Tensor> | undefined];

/** A batch as a user's iterable may yield it: `[x, y]`, `[x, y, sampleWeight]`, or `{ x, y, sampleWeight }`. */
export type BatchLike =
  | readonly [ModelData, ModelData?, ModelData?]
  | { x: ModelData; y?: ModelData; sampleWeight?: ModelData };

export type BatchSource = Iterable<BatchLike> | AsyncIterable<BatchLike>;

function isDataLeaf(x: unknown): boolean {
  return x instanceof Tensor || x instanceof SymbolicTensor || ArrayBuffer.isView(x);
}

function numberArray(x: unknown): boolean {
  return (
    Array.isArray(x) && flatten(x as Nested<unknown>).every((v) => typeof v === "number" || typeof v === "boolean")
  );
}

/**
 * Converts user data to tensors, keeping its structure. An array of arrays of numbers is one tensor;
 * an array whose items are tensors (or such arrays) is a list of inputs.
 */
export function toTensors(x: ModelData, owner: string, what: string): Nested<Tensor> {
  if (numberArray(x)) return toTensor(x as NestedArray);
  return mapStructure(
    x as Nested<unknown>,
    (leaf) => {
      if (leaf instanceof SymbolicTensor) {
        throw new TypeError(
          `${owner}.${what}: received a symbolic tensor ('${leaf.name}'), which holds no values. Pass concrete data (a Tensor, typed array or nested array); to apply a model to symbolic tensors, call model(x).`,
        );
      }
      if (leaf instanceof Tensor) return leaf;
      if (leaf === null || leaf === undefined) return leaf as never;
      return toTensor(leaf as NestedArray);
    },
    (v) => isDataLeaf(v) || numberArray(v),
  ) as Nested<Tensor>;
}

export function isBatchSource(x: unknown): x is BatchSource {
  if (x === null || typeof x !== "object" || Array.isArray(x) || isDataLeaf(x)) return false;
  return Symbol.iterator in (x as object) || Symbol.asyncIterator in (x as object);
}

/** Normalizes one yielded batch to `[x, y, sampleWeight]` tensors. */
export function unpackBatch(b: BatchLike, owner: string, what: string): Batch {
  let x: ModelData;
  let y: ModelData | undefined;
  let sw: ModelData | undefined;
  if (Array.isArray(b)) [x, y, sw] = b as [ModelData, ModelData?, ModelData?];
  else ({ x, y, sampleWeight: sw } = b as { x: ModelData; y?: ModelData; sampleWeight?: ModelData });
  return [
    toTensors(x, owner, what),
    y === undefined ? undefined : toTensors(y, owner, what),
    sw === undefined ? undefined : toTensors(sw, owner, what),
  ];
}

function firstDim(t: Nested<Tensor> | undefined): number | undefined {
  if (t === undefined) return undefined;
  const leaves = flatten(t, isLeafValue) as Tensor[];
  return leaves[0]?.shape[0];
}

/** Number of samples in a batch (the batch axis of its first input). */
export function batchLength(x: Nested<Tensor>): number {
  return firstDim(x) ?? 0;
}

function mapRows(t: Nested<Tensor> | undefined, f: (x: Tensor) => Tensor): Nested<Tensor> | undefined {
  if (t === undefined) return undefined;
  const leaves = flatten(t, isLeafValue) as Tensor[];
  return packSequenceAs(t, leaves.map(f), isLeafValue) as Nested<Tensor>;
}

export interface ArrayAdapterOptions {
  batchSize: number;
  shuffle?: boolean | "batch";
  /** Batches per epoch (fewer than the data has); undefined = all. */
  steps?: number;
  owner: string;
  what: string;
}

/** Batches over in-memory tensors (Keras's ArrayDataAdapter): shuffled per epoch, last batch partial. */
export class ArrayDataAdapter {
  readonly x: Nested<Tensor>;
  readonly y: Nested<Tensor> | undefined;
  readonly sw: Nested<Tensor> | undefined;
  readonly numSamples: number;
  readonly batchSize: number;
  readonly shuffle: boolean | "batch";
  readonly steps: number;

  constructor(
    x: Nested<Tensor>,
    y: Nested<Tensor> | undefined,
    sw: Nested<Tensor> | undefined,
    opts: ArrayAdapterOptions,
  ) {
    const where = `${opts.owner}.${opts.what}`;
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new RangeError(`${where}: batchSize must be a positive integer, received ${opts.batchSize}.`);
    }
    const counts: [string, number][] = [];
    for (const [name, part] of [
      ["x", x],
      ["y", y],
      ["sampleWeight", sw],
    ] as const) {
      if (part === undefined) continue;
      for (const [i, t] of (flatten(part, isLeafValue) as Tensor[]).entries()) {
        if (t.rank === 0) throw new Error(`${where}: ${name} must have a batch axis; received a scalar.`);
        counts.push([`${name}${flatten(part, isLeafValue).length > 1 ? `[${i}]` : ""}`, t.shape[0]]);
      }
    }
    const n = counts[0]?.[1] ?? 0;
    const bad = counts.find(([, c]) => c !== n);
    if (bad) {
      throw new Error(
        `${where}: x and y must have the same number of samples; ${counts.map(([k, c]) => `${k} has ${c}`).join(", ")}.`,
      );
    }
    this.x = x;
    this.y = y;
    this.sw = sw;
    this.numSamples = n;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    const all = Math.ceil(n / opts.batchSize);
    this.steps = opts.steps === undefined ? all : Math.min(opts.steps, all);
  }

  /** The batches of one epoch. */
  *batches(random: () => number = Math.random): Generator<Batch> {
    const n = this.numSamples;
    let order: Int32Array | null = null;
    if (this.shuffle === true) {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    const batchOrder = Array.from({ length: Math.ceil(n / this.batchSize) }, (_, i) => i);
    if (this.shuffle === "batch") {
      for (let i = batchOrder.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [batchOrder[i], batchOrder[j]] = [batchOrder[j], batchOrder[i]];
      }
    }
    for (let s = 0; s < this.steps; s++) {
      const start = batchOrder[s] * this.batchSize;
      const end = Math.min(n, start + this.batchSize);
      const pick = order
        ? (t: Tensor) => gatherRows(t, order.subarray(start, end))
        : (t: Tensor) => sliceRows(t, start, end);
      yield [mapRows(this.x, pick) as Nested<Tensor>, mapRows(this.y, pick), mapRows(this.sw, pick)];
    }
  }
}

/** Splits the last `fraction` of the samples off for validation (before any shuffling), as Keras does. */
export function splitForValidation(
  x: Nested<Tensor>,
  y: Nested<Tensor> | undefined,
  sw: Nested<Tensor> | undefined,
  fraction: number,
  where: string,
): [Batch, Batch] {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`${where}: validationSplit must be in (0, 1), received ${fraction}.`);
  }
  const n = firstDim(x) ?? 0;
  const cut = Math.floor(n * (1 - fraction));
  if (cut === 0 || cut === n) {
    throw new Error(
      `${where}: validationSplit ${fraction} leaves no samples for ${cut === 0 ? "training" : "validation"} (${n} samples).`,
    );
  }
  const head = (t: Tensor) => sliceRows(t, 0, cut);
  const tail = (t: Tensor) => sliceRows(t, cut, t.shape[0]);
  return [
    [mapRows(x, head) as Nested<Tensor>, mapRows(y, head), mapRows(sw, head)],
    [mapRows(x, tail) as Nested<Tensor>, mapRows(y, tail), mapRows(sw, tail)],
  ];
}
