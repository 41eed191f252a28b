/**
 * Crossentropies of keras.ops (Keras 3's keras/src/ops/nn.py): per-sample values, reduced over the
 * class axis only; reduction over samples is the job of keras.losses. Composed from ops, so their
 * gradients come from those ops' gradient rules.
 */
import "../../backend/cpu/losses.js";
import { traceableCheck } from "../../backend/trace.js";
import { castTensor } from "../../backend/convert.js";
import { kernels } from "../../backend/kernels.js";
import { normalizeAxis, type SpecShape, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { arange } from "../creation.js";
import { add, cast, clip, divide, equal, log, multiply, negative, subtract, where } from "../elementwise.js";
import { sum } from "../reduction.js";
import { apply1, defineOp, isRecording, toAny } from "../registry.js";
import { expandDims, reshape, squeeze } from "../shape.js";
import type { AnyTensor, Out, TensorInput } from "../types.js";
import { logSoftmax, softplus } from "./activations.js";
import { requireFloat } from "./float_args.js";

/** Keras's backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON]. */
const EPSILON = 1e-7;

function compatible(a: SpecShape, b: SpecShape): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** Output converted and checked float; target converted to output's dtype (Keras accepts int labels). */
function lossArgs(op: string, target: TensorInput, output: TensorInput): [AnyTensor, AnyTensor] {
  const o = toAny(output);
  requireFloat(op, o, "output");
  let t = toAny(target);
  if (t.dtype !== o.dtype) t = t instanceof Tensor ? castTensor(t, o.dtype) : cast(t, o.dtype);
  if (!compatible(t.shape, o.shape)) {
    throw new Error(
      `ops.${op}: target and output must have the same shape, received target ${shapeToString(t.shape)} and output ${shapeToString(o.shape)}.`,
    );
  }
  return [t, o];
}

/**
 * Binary crossentropy, element-wise (same shape as target and output).
 * fromLogits=false: output holds probabilities, clipped to [1e-7, 1 - 1e-7] as Keras does;
 * fromLogits=true: the stable form softplus(x) - x·t (finite for any finite logit).
 */
export function binaryCrossentropy<A extends TensorInput, B extends TensorInput>(
  target: A,
  output: B,
  fromLogits = false,
): Out<A | B> {
  const [t, o] = lossArgs("binaryCrossentropy", target, output);
  if (fromLogits) return subtract(softplus(o), multiply(o, t)) as Out<A | B>;
  const p = clip(o, EPSILON, 1 - EPSILON);
  const ll = add(multiply(t, log(p)), multiply(subtract(1, t), log(subtract(1, p))));
  return negative(ll) as Out<A | B>;
}

/** log-probabilities along `axis`: log_softmax of logits, or the log of Keras's normalized and clipped output. */
function logProbs(o: AnyTensor, axis: number, fromLogits: boolean): AnyTensor {
  if (fromLogits) return logSoftmax(o, axis);
  const p = divide(o, sum(o, axis, true));
  return log(clip(p, EPSILON, 1 - EPSILON));
}

function rankAtLeast1(op: string, o: AnyTensor, t?: AnyTensor): void {
  if (o.shape.length < 1) {
    throw new Error(
      `ops.${op}: output must be at least rank 1 (classes along an axis), received ${t ? `target ${shapeToString(t.shape)} and ` : ""}output ${shapeToString(o.shape)}.`,
    );
  }
}

/**
 * Categorical crossentropy of one-hot (or soft) `target` and `output` along `axis`: one value per
 * sample (output's shape without `axis`). Probabilities are divided by their sum along `axis`, then
 * clipped to [1e-7, 1 - 1e-7], as Keras does; logits go through logSoftmax.
 */
export function categoricalCrossentropy<A extends TensorInput, B extends TensorInput>(
  target: A,
  output: B,
  fromLogits = false,
  axis = -1,
): Out<A | B> {
  const op = "categoricalCrossentropy";
  const [t, o] = lossArgs(op, target, output);
  rankAtLeast1(op, o, t);
  const ax = normalizeAxis(`ops.${op}`, axis, o.shape.length);
  if (!fromLogits) return apply1(CATEGORICAL_CROSSENTROPY, [t, o], { axis: ax }) as Out<A | B>;
  return composedCategoricalCrossentropy(t, o, ax, fromLogits) as Out<A | B>;
}

function composedCategoricalCrossentropy(t: AnyTensor, o: AnyTensor, axis: number, fromLogits: boolean): AnyTensor {
  return negative(sum(multiply(t, logProbs(o, axis, fromLogits)), axis));
}

/** Elements after `axis` in a tensor of this shape (the stride of the class axis). */
const innerSize = (shape: readonly number[], axis: number) => shape.slice(axis + 1).reduce((a, b) => a * b, 1);

/**
 * Crossentropy of probabilities as one op. Its gradient is one fused kernel when no tape records
 * the backward pass, else the composed ops' gradient (so that gradients of gradients work).
 */
const CATEGORICAL_CROSSENTROPY = defineOp<{ axis: number }>({
  name: "categoricalCrossentropy",
  spec: ([, o], { axis }) => ({ shape: o.shape.filter((_, i) => i !== axis), dtype: o.dtype }),
  forward: ([t, o], { axis }, [spec]) => {
    const out = Tensor.uninitialized(spec.shape, spec.dtype);
    kernels.categoricalCrossentropy(t, o, out, innerSize(o.shape, axis), EPSILON);
    return out;
  },
  grad: ([dy], { inputs: [t, o], attrs: { axis }, needsGrad: [needT, needO] }) => {
    if (isRecording() || needT) {
      // Differentiable: the composed ops, run (and recorded) here.
      const [gt, go] = composedGradient(dy, t, o, axis);
      return [needT ? gt : null, needO ? go : null];
    }
    return [null, needO ? (apply1(CATEGORICAL_CROSSENTROPY_GRAD, [dy, t, o], { axis }) as Tensor) : null];
  },
});

/** The gradient of the fused op through its composed form, as ops (recorded by an outer tape). */
function composedGradient(dy: Tensor, t: Tensor, o: Tensor, axis: number): [Tensor, Tensor] {
  const logp = logProbs(o, axis, false) as Tensor;
  const dyc = expandDims(dy, axis) as Tensor;
  const gt = negative(multiply(dyc, logp)) as Tensor;
  // d/do of -sum(t * log(clip(o / sum(o)))): through clip (mask), log, and the normalization.
  const s = sum(o, axis, true) as Tensor;
  const q = divide(o, s) as Tensor;
  const inside = where(equal(clip(q, EPSILON, 1 - EPSILON), q), divide(negative(multiply(dyc, t)), q), 0) as Tensor;
  const go = divide(subtract(inside, sum(multiply(inside, q), axis, true)), s) as Tensor;
  return [gt, go];
}

/** The fused gradient with respect to the probabilities; not differentiable (used when no tape records). */
const CATEGORICAL_CROSSENTROPY_GRAD = defineOp<{ axis: number }>({
  name: "categoricalCrossentropyGrad",
  spec: ([, , o]) => ({ shape: o.shape, dtype: o.dtype }),
  forward: ([dy, t, o], { axis }, [spec]) => {
    const out = Tensor.uninitialized(spec.shape, spec.dtype);
    kernels.categoricalCrossentropyGrad(dy, t, o, out, innerSize(o.shape, axis), EPSILON);
    return out;
  },
});

/** Checks concrete labels against the class count and returns them as int32. */
function checkLabels(op: string, labels: Tensor, classes: number | null, axis: number): Tensor {
  // A traceable check: a replayed training step validates every batch's labels too.
  traceableCheck((l: Tensor) => {
    const d = l.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (!Number.isInteger(v) || v < 0 || (classes !== null && v >= classes)) {
        const range = classes === null ? "non-negative integers" : `integers in [0, ${classes})`;
        throw new RangeError(
          `ops.${op}: target must hold class indices, ${range} (output has ${classes ?? "an unknown number of"} classes on axis ${axis}), received ${v} at flat position ${i}.`,
        );
      }
    }
  }, labels);
  return labels.dtype === "int32" ? labels : castTensor(labels, "int32");
}

/**
 * Crossentropy of integer class indices `target` and `output` along `axis` (Keras 3): target has
 * output's shape without `axis` (a trailing size-1 axis is squeezed, as Keras does), and holds int32
 * values (or floats holding integers) in [0, classes). One value per sample.
 */
export function sparseCategoricalCrossentropy<A extends TensorInput, B extends TensorInput>(
  target: A,
  output: B,
  fromLogits = false,
  axis = -1,
): Out<A | B> {
  const op = "sparseCategoricalCrossentropy";
  const o = toAny(output);
  requireFloat(op, o, "output");
  let t = toAny(target);
  rankAtLeast1(op, o, t);
  const ax = normalizeAxis(`ops.${op}`, axis, o.shape.length);
  if (t.dtype === "bool") {
    throw new TypeError(
      `ops.${op}: target must hold int32 class indices (or floats holding integers), received dtype bool.`,
    );
  }
  if (t.shape.length === o.shape.length && t.shape[t.shape.length - 1] === 1) {
    t = squeeze(t, -1);
  }
  const expected = o.shape.filter((_, i) => i !== ax);
  if (!compatible(t.shape, expected)) {
    throw new Error(
      `ops.${op}: target must have output's shape without the class axis ${ax} (${shapeToString(expected)}), received target ${shapeToString(t.shape)} and output ${shapeToString(o.shape)}.`,
    );
  }
  const classes = o.shape[ax];
  if (t instanceof Tensor) t = checkLabels(op, t, classes, ax);
  else if (t.dtype !== "int32") t = cast(t, "int32");
  if (classes === null) {
    throw new Error(
      `ops.${op}: the class axis ${ax} of output must have a known size, received ${shapeToString(o.shape)}.`,
    );
  }
  // One-hot mask: label (broadcast along the class axis) == class index (broadcast elsewhere).
  const ids = reshape(arange(classes, undefined, 1, "int32"), [classes, ...new Array(o.shape.length - 1 - ax).fill(1)]);
  const mask = equal(expandDims(t, ax), ids);
  const picked = where(mask, logProbs(o, ax, fromLogits), 0);
  return negative(sum(picked, ax)) as Out<A | B>;
}
