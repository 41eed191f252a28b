/**
 * The built-in training step's forward and backward pass, traced and replayed (Keras's
 * `jit_compile`, on by default as "auto"): the loss, the gradients and the predictions of a batch
 * come from a kernel trace (backend/trace.ts) once one has been captured and verified for batches of
 * that shape. The optimizer update, the loss tracker and the metrics still run eagerly.
 *
 * Only models whose step is known to be the same kernels for every batch are traced: the built-in
 * `computeLoss`, Keras's own losses and regularizers, Sequential or functional models made of the
 * deterministic built-in layers below (no dropout or noise, no Lambda, no custom layer). Anything
 * else, or a trace that fails verification, runs eagerly as before.
 */
import type { Tensor } from "../backend/tensor.js";
import { captureTrace, isCapturing, type Trace, verifyTrace } from "../backend/trace.js";
import type { Variable } from "../backend/variable.js";
import * as layersModule from "../layers/index.js";
import * as activations from "../activations/index.js";
import { isLeafValue, Layer, trainableVersion, weightRegularizer } from "../layers/layer.js";
import * as losses from "../losses/index.js";
import type { AnyTensor } from "../ops/types.js";
import { saveRandomState } from "../random/seed_generator.js";
import * as regularizers from "../regularizers/index.js";
import { flatten, isNested, mapStructure, type Nested, packSequenceAs } from "../tree/index.js";

/** What the traced part of a step returns. */
export interface Gradients {
  loss: Tensor;
  grads: (Tensor | null)[];
  yPred: Nested<AnyTensor>;
}

/** Layers whose call is the same kernels for every batch of a shape (and draws no random numbers). */
const DETERMINISTIC_LAYERS = [
  "InputLayer",
  "Dense",
  "EinsumDense",
  "Activation",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "Softmax",
  "Identity",
  "Flatten",
  "Reshape",
  "Permute",
  "RepeatVector",
  "Conv1D",
  "Conv2D",
  "Conv3D",
  "Conv1DTranspose",
  "Conv2DTranspose",
  "Conv3DTranspose",
  "SeparableConv1D",
  "SeparableConv2D",
  "DepthwiseConv1D",
  "DepthwiseConv2D",
  "MaxPooling1D",
  "MaxPooling2D",
  "MaxPooling3D",
  "AveragePooling1D",
  "AveragePooling2D",
  "AveragePooling3D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
  "GlobalMaxPooling3D",
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
  "GlobalAveragePooling3D",
  "BatchNormalization",
  "LayerNormalization",
  "GroupNormalization",
  "UnitNormalization",
  "Add",
  "Subtract",
  "Multiply",
  "Average",
  "Maximum",
  "Minimum",
  "Concatenate",
  "Dot",
  "ZeroPadding1D",
  "ZeroPadding2D",
  "ZeroPadding3D",
  "Cropping1D",
  "Cropping2D",
  "Cropping3D",
  "UpSampling1D",
  "UpSampling2D",
  "UpSampling3D",
];

const REGULARIZERS: unknown[] = [
  regularizers.L1,
  regularizers.L2,
  regularizers.L1L2,
  regularizers.OrthogonalRegularizer,
];

let deterministic: Set<unknown> | null = null;

/** Whether `layer` and everything inside it are built-in layers whose call the trace reproduces. */
function layerTraceable(layer: Layer, isContainer: (l: Layer) => boolean): boolean {
  if (deterministic === null) {
    const table = layersModule as unknown as Record<string, unknown>;
    deterministic = new Set(DETERMINISTIC_LAYERS.map((n) => table[n]).filter((c) => c !== undefined));
  }
  if (!isContainer(layer) && !deterministic.has(layer.constructor)) return false;
  // A function in a field (an activation) is replayed as the kernels it ran when captured: only
  // Keras's own, whose kernels never depend on anything but their input.
  for (const v of Object.values(layer)) {
    if (typeof v === "function" && !(v instanceof Layer) && !activations.isBuiltin(v)) return false;
  }
  if (layer.activityRegularizer && !REGULARIZERS.includes(layer.activityRegularizer.constructor)) return false;
  for (const v of layer.weights) {
    const r = weightRegularizer(v);
    if (r && !REGULARIZERS.includes(r.constructor)) return false;
  }
  return layer.layers.every((l) => layerTraceable(l, isContainer));
}

/**
 * Whether a model's built-in step may be traced: `isContainer` says which layers are plain
 * Sequential or functional models (the models module knows), `compiledLosses` are the compiled ones.
 */
export function stepTraceable(
  model: Layer,
  isContainer: (l: Layer) => boolean,
  compiledLosses: readonly (losses.Loss | null)[],
): boolean {
  if (!isContainer(model)) return false;
  if (!compiledLosses.every((l) => l === null || losses.isBuiltinLoss(l))) return false;
  return layerTraceable(model, isContainer);
}

interface Entry {
  seen: number;
  trace: Trace | null;
  /** The structure of yPred, to rebuild it from the trace's flat outputs. */
  yPredStructure: unknown;
}

/** At most this many traces per model (batch shapes); beyond, the oldest is dropped. */
const MAX_TRACES = 8;

/** Batch shape and dtype signature of nested step data (structure included). */
function signature(x: unknown): string {
  if (x === undefined || x === null) return "-";
  if (isLeafValue(x)) {
    const t = x as Tensor;
    return `${t.dtype}[${t.shape.join(",")}]`;
  }
  if (Array.isArray(x)) return `(${x.map(signature).join(";")})`;
  if (isNested(x)) {
    return `{${Object.entries(x as Record<string, unknown>)
      .map(([k, v]) => `${k}:${signature(v)}`)
      .join(";")}}`;
  }
  return "?";
}

/**
 * Per model: traces of its built-in step by batch signature. A signature's first batch runs
 * eagerly (layers and the optimizer build then), its second is captured and verified, and every
 * later one is replayed.
 */
export class StepTracer {
  private readonly entries = new Map<string, Entry>();
  /** Why the last capture failed (null when it did not), and how many steps were replayed. */
  lastFailure: string | null = null;
  replayed = 0;

  /**
   * The loss, gradients and predictions for one batch: `eager` computes them with the tape; the
   * trace reproduces them once verified. `variables` are every variable the step may read.
   */
  gradients(
    data: readonly (Nested<Tensor> | undefined)[],
    trainable: readonly Variable[],
    variables: readonly Variable[],
    eager: (data: readonly (Nested<Tensor> | undefined)[]) => Gradients,
  ): Gradients {
    if (isCapturing()) return eager(data);
    // Trainable flags change what a layer computes (BatchNormalization runs in inference mode when
    // frozen, with or without weights): any change of one makes a new signature.
    const key = `${data.map(signature).join("|")}#${trainable.map((v) => v.id).join(",")}#${variables.length}#${trainableVersion()}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= MAX_TRACES) this.entries.delete(this.entries.keys().next().value as string);
      entry = { seen: 0, trace: null, yPredStructure: null };
      this.entries.set(key, entry);
    }
    entry.seen++;
    const inputs = data.flatMap((d) => (d === undefined ? [] : (flatten(d, isLeafValue) as Tensor[])));
    if (entry.trace !== null) {
      const out = entry.trace.replay(inputs);
      this.replayed++;
      return {
        loss: out[0] as Tensor,
        grads: out.slice(1, 1 + trainable.length),
        yPred: packSequenceAs(entry.yPredStructure, out.slice(1 + trainable.length)) as Nested<AnyTensor>,
      };
    }
    if (entry.seen !== 2) return eager(data);
    // Capture on the real batch (its results are this step's), then verify on a perturbed one.
    let result: Gradients | null = null;
    const flat = (g: Gradients) => [g.loss, ...g.grads, ...(flatten(g.yPred, isLeafValue) as Tensor[])];
    const { trace, failure } = captureTrace(
      () => {
        result = eager(data);
        return flat(result);
      },
      inputs,
      variables,
    );
    const res = result as unknown as Gradients;
    this.lastFailure = failure;
    if (trace !== null) {
      const rebuild = (flatInputs: readonly Tensor[]) => {
        let i = 0;
        const take = (d: Nested<Tensor> | undefined) =>
          d === undefined
            ? undefined
            : (packSequenceAs(
                d,
                flatInputs.slice(i, (i += flatten(d, isLeafValue).length)),
                isLeafValue,
              ) as Nested<Tensor>);
        return data.map(take);
      };
      // The check's eager run draws nothing from the random stream that eager training would not.
      const restoreRandom = saveRandomState();
      let verified: boolean;
      try {
        verified = verifyTrace(trace, (xs) => flat(eager(rebuild(xs))), inputs, variables);
      } finally {
        restoreRandom();
      }
      if (verified) {
        entry.trace = trace;
        // The structure alone (not this batch's predictions, which would stay in memory).
        entry.yPredStructure = mapStructure(res.yPred, () => 0, isLeafValue);
      } else this.lastFailure = "its replay differed from the eager step on other inputs";
    }
    return res;
  }
}
