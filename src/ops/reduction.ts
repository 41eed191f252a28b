import { allocate, type DType, isFloat, standardizeDType } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import "../backend/cpu/reduction.js";
import type { ArgReduceOp, CumulativeOp, ReduceOp } from "../backend/cpu/reduction.js";
import { normalizeAxes, normalizeAxis, type SpecShape, shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { cast, divide, equal, exp, multiply, subtract, where } from "./elementwise.js";
import { apply1, defineOp, type OpDef, toAny } from "./registry.js";
import { broadcastTo, reshape } from "./shape.js";
import type { AnyTensor, Out, Spec, TensorInput } from "./types.js";

/** The `axis` argument of a reduction: one axis, several, or all of them (null/undefined). Negative counts from the end. */
export type Axis = number | readonly number[] | null | undefined;

export interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}

const T = (x: AnyTensor) => x as Tensor;

/** The output shape of a reduction over `axes`. */
export function reducedShape(shape: SpecShape, axes: readonly number[], keepdims: boolean): SpecShape {
  const out: SpecShape = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Reshapes a reduced gradient (or value) so that it broadcasts against the input again. */
export function keepDimsShape(inputShape: readonly number[], axes: readonly number[]): number[] {
  return inputShape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function reductionSpec(dtype: (d: DType) => DType) {
  return ([x]: readonly Spec[], { axes, keepdims }: ReduceAttrs): Spec => ({
    shape: reducedShape(x.shape, axes, keepdims),
    dtype: dtype(x.dtype),
  });
}

/** Normalizes the `axis` argument of a reduction, naming the op in errors. */
export function reduceAttrs(op: string, x: Spec, axis: Axis, keepdims = false): ReduceAttrs {
  return { axes: normalizeAxes(`ops.${op}`, axis, x.shape.length), keepdims };
}

/** How many input elements go into each output element. */
function groupSize(shape: readonly number[], axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= shape[a];
  return n;
}

/** `t` (shaped like the reduced output) reshaped to broadcast against the input `x`. */
function expand(t: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return T(reshape(t, keepDimsShape(x.shape, axes)));
}

/** `dy` spread back over every input position it was reduced from. */
function spread(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return T(broadcastTo(expand(dy, x, axes), x.shape));
}

function runReduce(op: ReduceOp, x: Tensor, axes: number[], o: { shape: number[]; dtype: DType }): Tensor {
  const out = Tensor.uninitialized(o.shape, o.dtype); // the kernel writes every element
  kernels.reduce(op, x, axes, out);
  return out;
}

const sumDType = (d: DType): DType => (d === "bool" ? "int32" : d);
const floatDType = (d: DType): DType => (isFloat(d) ? d : "float32");

// ---------------------------------------------------------------- sum, mean, prod

const SUM = defineOp<ReduceAttrs>({
  name: "sum",
  spec: reductionSpec(sumDType),
  forward: ([x], { axes }, [o]) => runReduce("sum", x, axes, o),
  grad: ([dy], { inputs: [x], attrs: { axes } }) => [spread(dy, x, axes)],
});

const MEAN = defineOp<ReduceAttrs>({
  name: "mean",
  spec: reductionSpec(floatDType),
  forward: ([x], { axes }, [o]) => {
    const out = runReduce("sum", x, axes, o);
    // Divided by a kernel, in place: a kernel trace (backend/trace.ts) replays only kernels.
    const n = new Tensor(allocate(o.dtype, 1).fill(groupSize(x.shape, axes)), [], o.dtype);
    kernels.binary("divide", out, n, out);
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { axes } }) => [spread(T(divide(dy, groupSize(x.shape, axes))), x, axes)],
});

const PROD = defineOp<ReduceAttrs>({
  name: "prod",
  spec: reductionSpec(sumDType),
  forward: ([x], { axes }, [o]) => runReduce("prod", x, axes, o),
  // d prod / d x_i is the product of the other elements of its group: exclusive cumulative products
  // from both ends along each reduced axis, one axis at a time. Exact with zeros (no division by x).
  grad: ([dy], { inputs: [x], attrs: { axes } }) => {
    const stages = [x];
    for (const a of axes.slice(0, -1)) stages.push(T(prod(stages[stages.length - 1], a, true)));
    let g = expand(dy, x, axes);
    for (let i = axes.length - 1; i >= 0; i--) {
      const s = stages[i];
      const others = multiply(
        cumulativeOp(CUMPROD, s, axes[i], false, true),
        cumulativeOp(CUMPROD, s, axes[i], true, true),
      );
      g = T(multiply(g, others));
    }
    return [g];
  },
});

// ---------------------------------------------------------------- max, min

/** max/min: the gradient is shared equally among the positions equal to the extreme, as TensorFlow and JAX do. */
function extremeOp(name: "max" | "min") {
  return defineOp<ReduceAttrs>({
    name,
    spec: reductionSpec((d) => d),
    forward: ([x], { axes }, [o]) => runReduce(name, x, axes, o),
    grad: ([dy], { inputs: [x], outputs: [out], attrs: { axes } }) => {
      const hit = equal(x, expand(out, x, axes));
      const count = sum(cast(hit, x.dtype), axes, true);
      return [T(where(hit, broadcastTo(divide(expand(dy, x, axes), count), x.shape), 0))];
    },
  });
}

const MAX = extremeOp("max");
const MIN = extremeOp("min");

// ---------------------------------------------------------------- all, any

function logicalReduceOp(name: "all" | "any") {
  return defineOp<ReduceAttrs>({
    name,
    nonDifferentiable: true,
    spec: reductionSpec(() => "bool"),
    // No cast to bool first: NaN counts as true here, as in NumPy.
    forward: ([x], { axes }, [o]) => runReduce(name, x, axes, o),
  });
}

const ALL = logicalReduceOp("all");
const ANY = logicalReduceOp("any");

// ---------------------------------------------------------------- var, std

/** Population variance / standard deviation (ddof 0, as NumPy and Keras). */
function momentOp(name: "var" | "std") {
  return defineOp<ReduceAttrs>({
    name,
    spec: reductionSpec(floatDType),
    forward: ([x], { axes }, [o]) => {
      const out = Tensor.empty(o.shape, o.dtype);
      kernels.variance(x, axes, out);
      if (name === "std") {
        const d = out.data;
        for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
      }
      return out;
    },
    // d var / dx = 2 (x - mean) / n; d std / dx = (x - mean) / (n std).
    grad: ([dy], { inputs: [x], outputs: [out], attrs: { axes } }) => {
      const n = groupSize(x.shape, axes);
      const centered = subtract(x, mean(x, axes, true));
      const scale = name === "var" ? divide(dy, n / 2) : divide(dy, multiply(out, n));
      return [T(multiply(centered, expand(T(scale), x, axes)))];
    },
  });
}

const VAR = momentOp("var");
const STD = momentOp("std");

// ---------------------------------------------------------------- logsumexp

const LOGSUMEXP = defineOp<ReduceAttrs>({
  name: "logsumexp",
  spec: reductionSpec(floatDType),
  forward: ([x], { axes }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.logsumexp(x, axes, out);
    return out;
  },
  // The softmax of x over the reduced axes: exp(x - logsumexp(x)).
  grad: ([dy], { inputs: [x], outputs: [out], attrs: { axes } }) => [
    T(multiply(expand(dy, x, axes), exp(subtract(x, expand(out, x, axes))))),
  ],
});

// ---------------------------------------------------------------- public reductions

function reducer(op: typeof SUM) {
  return <A extends TensorInput>(x: A, axis?: Axis, keepdims = false): Out<A> => {
    const t = toAny(x);
    return apply1(op, [t], reduceAttrs(op.name, t, axis, keepdims)) as Out<A>;
  };
}

/** Sum over `axis` (a number, a list, or all axes when omitted). Bool inputs count (int32 result). */
export const sum = reducer(SUM);
/** Arithmetic mean over `axis`; integer and bool inputs give float32. */
export const mean = reducer(MEAN);
/** Maximum over `axis`; NaN propagates. */
export const max = reducer(MAX);
/** Minimum over `axis`; NaN propagates. */
export const min = reducer(MIN);
/** Product over `axis`. Bool inputs give int32. */
export const prod = reducer(PROD);
/** Whether every element over `axis` is true (nonzero). Bool result, not differentiable. */
export const all = reducer(ALL);
/** Whether any element over `axis` is true (nonzero). Bool result, not differentiable. */
export const any = reducer(ANY);
/** Population variance (ddof 0) over `axis`; integer inputs give float32. Exported as `var`. */
export const variance = reducer(VAR);
/** Population standard deviation (ddof 0) over `axis`; integer inputs give float32. */
export const std = reducer(STD);
/** log(sum(exp(x))) over `axis`, computed stably (the max is subtracted first). */
export const logsumexp = reducer(LOGSUMEXP);
export { variance as var };

// ---------------------------------------------------------------- argmax, argmin

interface ArgAttrs {
  /** null: over the flattened tensor. */
  axis: number | null;
  keepdims: boolean;
}

function argOp(name: ArgReduceOp) {
  return defineOp<ArgAttrs>({
    name,
    nonDifferentiable: true,
    spec: ([x], { axis, keepdims }) => ({
      shape: axis === null ? (keepdims ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [axis], keepdims),
      dtype: "int32",
    }),
    forward: ([x], { axis }, [o]) => {
      const flat = axis === null ? new Tensor(x.data, [x.size], x.dtype) : x;
      const a = axis ?? 0;
      if (flat.shape[a] === 0) {
        throw new Error(
          `ops.${name}: cannot take the ${name} of an empty sequence (input shape ${shapeToString(x.shape)}, axis ${axis}).`,
        );
      }
      const out = Tensor.empty(o.shape, "int32");
      kernels.argReduce(name, flat, a, out);
      return out;
    },
  });
}

const ARGMAX = argOp("argmax");
const ARGMIN = argOp("argmin");

function argReducer(op: typeof ARGMAX) {
  return <A extends TensorInput>(x: A, axis: number | null = null, keepdims = false): Out<A> => {
    const t = toAny(x);
    if (axis !== null && axis !== undefined && typeof axis !== "number") {
      throw new TypeError(
        `ops.${op.name}: axis must be a single integer or null (flattened), received ${JSON.stringify(axis)}.`,
      );
    }
    const a = axis === null || axis === undefined ? null : normalizeAxis(`ops.${op.name}`, axis, t.shape.length);
    return apply1(op, [t], { axis: a, keepdims }) as Out<A>;
  };
}

/**
 * Index of the maximum along `axis` (int32); over the flattened tensor when `axis` is null/omitted.
 * Ties give the first occurrence; NaN counts as the maximum, as in NumPy.
 */
export const argmax = argReducer(ARGMAX);
/** Index of the minimum along `axis` (int32), as `argmax`. */
export const argmin = argReducer(ARGMIN);

// ---------------------------------------------------------------- cumsum, cumprod

interface CumulativeAttrs {
  axis: number;
  /** Accumulate from the end of the axis (used by the gradients). */
  reverse: boolean;
  /** Leave each element out of its own result (used by the gradient of prod). */
  exclusive: boolean;
}

function cumulativeDef(name: "cumsum" | "cumprod", kernelOp: CumulativeOp): OpDef<CumulativeAttrs> {
  return defineOp<CumulativeAttrs>({
    name,
    spec: ([x]) => ({ shape: x.shape, dtype: sumDType(x.dtype) }),
    forward: ([x], { axis, reverse, exclusive }, [o]) => {
      const out = Tensor.empty(o.shape, o.dtype);
      kernels.cumulative(kernelOp, x, axis, reverse, exclusive, out);
      return out;
    },
    grad: ([dy], { inputs: [x], outputs: [out], attrs: { axis, reverse, exclusive } }) => {
      // The transpose of a running sum is the running sum the other way.
      if (name === "cumsum") return [cumulativeOp(CUMSUM, dy, axis, !reverse, exclusive)];
      // d out_k / d x_j = out_k / x_j for the k that include j (not defined where x_j is 0).
      return [T(divide(cumulativeOp(CUMSUM, T(multiply(dy, out)), axis, !reverse, exclusive), x))];
    },
  });
}

const CUMSUM = cumulativeDef("cumsum", "sum");
const CUMPROD = cumulativeDef("cumprod", "prod");

function cumulativeOp(
  op: OpDef<CumulativeAttrs>,
  x: Tensor,
  axis: number,
  reverse: boolean,
  exclusive: boolean,
): Tensor {
  return T(apply1(op, [x], { axis, reverse, exclusive }));
}

function cumulativeFn(op: OpDef<CumulativeAttrs>) {
  return <A extends TensorInput>(x: A, axis: number | null = null, dtype?: DType | string): Out<A> => {
    let t = toAny(x);
    if (dtype !== undefined && dtype !== null) t = cast(t, standardizeDType(dtype, `ops.${op.name}`));
    if (axis !== null && axis !== undefined && typeof axis !== "number") {
      throw new TypeError(
        `ops.${op.name}: axis must be a single integer or null (flattened), received ${JSON.stringify(axis)}.`,
      );
    }
    if (axis === null || axis === undefined) {
      t = reshape(t, [-1]);
      axis = 0;
    }
    const a = normalizeAxis(`ops.${op.name}`, axis, t.shape.length);
    return apply1(op, [t], { axis: a, reverse: false, exclusive: false }) as Out<A>;
  };
}

/** Running sum along `axis`; over the flattened tensor when `axis` is null/omitted. Bool inputs give int32. */
export const cumsum = cumulativeFn(CUMSUM);
/** Running product along `axis`; over the flattened tensor when `axis` is null/omitted. */
export const cumprod = cumulativeFn(CUMPROD);
