import { castTensor } from "../backend/convert.js";
import "../backend/cpu/indexing.js";
import { type DType, standardizeDType } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import { normalizeAxis, type SpecShape, shapeToString } from "../backend/shape.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { unbroadcast } from "./elementwise.js";
import { apply1, defineOp, toAny } from "./registry.js";
import { reshape } from "./shape.js";
import type { AnyTensor, Out, Spec, TensorInput } from "./types.js";

const T = (x: AnyTensor) => x as Tensor;

/**
 * Converts an indices argument to an int32 tensor. Numbers and float tensors are accepted when they
 * hold whole numbers (a fractional index is an error, not a silent truncation).
 */
function toIndices(op: string, indices: TensorInput): AnyTensor {
  const t = toAny(indices);
  if (t.dtype === "int32") return t;
  if (t.dtype === "bool" || t instanceof SymbolicTensor) {
    throw new TypeError(`${op}: indices must be an int32 tensor or whole numbers, received dtype ${t.dtype}.`);
  }
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isInteger(d[i])) {
      throw new TypeError(`${op}: indices must be whole numbers, received ${d[i]} at position ${i}.`);
    }
  }
  return castTensor(t, "int32");
}

/** Throws unless every index is in [-n, n) (negative indices count from the end). */
function checkRange(op: string, indices: Tensor, n: number, axis: number, shape: readonly number[]): void {
  const I = indices.data;
  for (let k = 0; k < I.length; k++) {
    if (I[k] < -n || I[k] >= n) {
      throw new RangeError(
        `${op}: index ${I[k]} is out of range for axis ${axis} of size ${n} (tensor of shape ${shapeToString(shape)}); indices must be in [${-n}, ${n - 1}].`,
      );
    }
  }
}

// ---------------------------------------------------------------- take and its adjoint

interface AxisAttrs {
  axis: number;
}

/** x.shape[:axis] + indices.shape + x.shape[axis+1:] */
function gatheredShape(x: SpecShape, indices: SpecShape, axis: number): SpecShape {
  return [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)];
}

const TAKE = defineOp<AxisAttrs>({
  name: "take",
  spec: ([x, i], { axis }) => ({ shape: gatheredShape(x.shape, i.shape, axis), dtype: x.dtype }),
  forward: ([x, i], { axis }, [o]) => {
    checkRange("ops.take", i, x.shape[axis], axis, x.shape);
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.take(x, i, axis, out);
    return out;
  },
  grad: ([dy], { inputs: [x, i], attrs: { axis } }) => [scatterAdd(dy, i, axis, x.shape[axis]), null],
});

const SCATTER_ADD = defineOp<AxisAttrs & { size: number }>({
  name: "scatterAdd",
  spec: ([u, i], { axis, size }) => {
    const k = i.shape.length;
    return { shape: [...u.shape.slice(0, axis), size, ...u.shape.slice(axis + k)], dtype: u.dtype };
  },
  forward: ([u, i], { axis }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.scatterAdd(u, i, axis, out);
    return out;
  },
  grad: ([dy], { inputs: [, i], attrs: { axis } }) => [T(apply1(TAKE, [dy, i], { axis })), null],
});

/** The adjoint of take: sums `updates` into a zero tensor whose `axis` has `size` entries. */
function scatterAdd(updates: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  return T(apply1(SCATTER_ADD, [updates, indices], { axis, size }));
}

/**
 * Takes elements of `x` at `indices` along `axis` (NumPy's take; the flattened `x` when `axis` is
 * omitted). Negative indices count from the end; out-of-range indices are an error.
 */
export function take<A extends TensorInput, I extends TensorInput>(x: A, indices: I, axis?: number | null): Out<A | I> {
  let t = toAny(x);
  const i = toIndices("ops.take", indices);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  return apply1(TAKE, [t, i], { axis: normalizeAxis("ops.take", axis, t.shape.length) }) as Out<A | I>;
}

// ---------------------------------------------------------------- takeAlongAxis and its adjoint

/** The broadcast shape of x and indices outside `axis`, with `axisSize` on `axis`. */
function alongShape(op: string, x: SpecShape, i: SpecShape, axis: number, axisSize: number | null): SpecShape {
  const bad = () =>
    new Error(
      `${op}: x and indices must have the same rank and broadcastable sizes outside axis ${axis}, received shapes ${shapeToString(x)} and ${shapeToString(i)}.`,
    );
  if (x.length !== i.length) throw bad();
  return x.map((d, k) => {
    if (k === axis) return axisSize;
    const e = i[k];
    if (d === 1) return e;
    if (e === 1 || e === d) return d;
    if (d === null) return e;
    if (e === null) return d;
    throw bad();
  });
}

const TAKE_ALONG = defineOp<AxisAttrs>({
  name: "takeAlongAxis",
  spec: ([x, i], { axis }) => ({
    shape: alongShape("ops.takeAlongAxis", x.shape, i.shape, axis, i.shape[axis]),
    dtype: x.dtype,
  }),
  forward: ([x, i], { axis }, [o]) => {
    checkRange("ops.takeAlongAxis", i, x.shape[axis], axis, x.shape);
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.takeAlongAxis(x, i, axis, out);
    return out;
  },
  grad: ([dy], { inputs: [x, i], attrs: { axis } }) => {
    const full = alongShape("ops.takeAlongAxis", x.shape, i.shape, axis, x.shape[axis]) as number[];
    const g = T(apply1(SCATTER_ALONG, [dy, i], { axis, shape: full }));
    return [unbroadcast(g, x.shape), null];
  },
});

const SCATTER_ALONG = defineOp<AxisAttrs & { shape: number[] }>({
  name: "scatterAddAlongAxis",
  spec: ([u], { shape }) => ({ shape: shape.slice(), dtype: u.dtype }),
  forward: ([u, i], { axis }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.scatterAddAlongAxis(u, i, axis, out);
    return out;
  },
  grad: ([dy], { inputs: [, i], attrs: { axis } }) => [T(apply1(TAKE_ALONG, [dy, i], { axis })), null],
});

/**
 * Picks `x` values along `axis` at `indices`, which has x's rank (other axes broadcast), as NumPy's
 * take_along_axis. With `axis` omitted both are flattened.
 */
export function takeAlongAxis<A extends TensorInput, I extends TensorInput>(
  x: A,
  indices: I,
  axis?: number | null,
): Out<A | I> {
  let t = toAny(x);
  let i = toIndices("ops.takeAlongAxis", indices);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    i = reshape(i, [-1]);
    axis = 0;
  }
  return apply1(TAKE_ALONG, [t, i], { axis: normalizeAxis("ops.takeAlongAxis", axis, t.shape.length) }) as Out<A | I>;
}

// ---------------------------------------------------------------- oneHot

const ONE_HOT = defineOp<{ numClasses: number; axis: number; dtype: DType }>({
  name: "oneHot",
  nonDifferentiable: true,
  spec: ([x], { numClasses, axis, dtype }: { numClasses: number; axis: number; dtype: DType }): Spec => {
    const shape = x.shape.slice();
    shape.splice(axis, 0, numClasses);
    return { shape, dtype };
  },
  forward: ([x], { numClasses, axis }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.oneHot(castTensor(x, "int32"), numClasses, axis, out);
    return out;
  },
});

/**
 * One-hot encodes integer class ids: a new axis of `numClasses` (last by default) holds 1 at the id.
 * Ids outside [0, numClasses) give all-zero rows, as in Keras (JAX backend).
 */
export function oneHot<A extends TensorInput>(
  x: A,
  numClasses: number,
  { axis = -1, dtype = "float32" }: { axis?: number; dtype?: DType | string } = {},
): Out<A> {
  const t = toAny(x);
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`ops.oneHot: numClasses must be a positive integer, received ${numClasses}.`);
  }
  const d = standardizeDType(dtype, "ops.oneHot");
  const a = normalizeAxis("ops.oneHot", axis, t.shape.length + 1);
  return apply1(ONE_HOT, [t], { numClasses, axis: a, dtype: d }) as Out<A>;
}
