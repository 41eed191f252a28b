import { castTensor } from "../backend/convert.js";
import { type DType, isFloat } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import "../backend/cpu/reduction.js";
import type { ReduceOp } from "../backend/cpu/reduction.js";
import { normalizeAxes, type SpecShape } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { divide, equal, multiply, where } from "./elementwise.js";
import { apply1, defineOp, toAny } from "./registry.js";
import { broadcastTo, reshape } from "./shape.js";
import type { Out, Spec, TensorInput } from "./types.js";

export type Axis = number | readonly number[] | null | undefined;

export interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}

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

function runReduce(op: ReduceOp, x: Tensor, axes: number[], o: { shape: number[]; dtype: DType }): Tensor {
  const out = Tensor.empty(o.shape, o.dtype);
  kernels.reduce(op, castTensor(x, o.dtype), axes, out);
  return out;
}

const sumDType = (d: DType): DType => (d === "bool" ? "int32" : d);

const SUM = defineOp<ReduceAttrs>({
  name: "sum",
  spec: reductionSpec(sumDType),
  forward: ([x], { axes }, [o]) => runReduce("sum", x, axes, o),
  grad: ([dy], { inputs: [x], attrs: { axes } }) => [
    broadcastTo(reshape(dy, keepDimsShape(x.shape, axes)), x.shape) as Tensor,
  ],
});

const MEAN = defineOp<ReduceAttrs>({
  name: "mean",
  spec: reductionSpec((d) => (isFloat(d) ? d : "float32")),
  forward: ([x], { axes }, [o]) => {
    const out = runReduce("sum", x, axes, o);
    let n = 1;
    for (const a of axes) n *= x.shape[a];
    const d = out.data;
    for (let i = 0; i < d.length; i++) d[i] /= n;
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { axes } }) => {
    let n = 1;
    for (const a of axes) n *= x.shape[a];
    return [broadcastTo(reshape(divide(dy, n), keepDimsShape(x.shape, axes)), x.shape) as Tensor];
  },
});

/** max/min: the gradient goes to every position equal to the extreme, as TensorFlow does. */
function extremeOp(name: "max" | "min") {
  return defineOp<ReduceAttrs>({
    name,
    spec: reductionSpec((d) => d),
    forward: ([x], { axes }, [o]) => runReduce(name, x, axes, o),
    grad: ([dy], { inputs: [x], outputs: [out], attrs: { axes } }) => {
      const keep = keepDimsShape(x.shape, axes);
      const hit = equal(x, reshape(out, keep));
      return [where(hit, broadcastTo(reshape(dy, keep), x.shape), 0) as Tensor];
    },
  });
}

const MAX = extremeOp("max");
const MIN = extremeOp("min");

const PROD = defineOp<ReduceAttrs>({
  name: "prod",
  spec: reductionSpec(sumDType),
  forward: ([x], { axes }, [o]) => runReduce("prod", x, axes, o),
  // d prod / d x_i = prod / x_i (inputs with zeros are not special-cased).
  grad: ([dy], { inputs: [x], outputs: [out], attrs: { axes } }) => {
    const keep = keepDimsShape(x.shape, axes);
    return [multiply(broadcastTo(reshape(multiply(dy, out), keep), x.shape), divide(1, x)) as Tensor];
  },
});

function reducer(op: typeof SUM) {
  return <A extends TensorInput>(x: A, axis?: Axis, keepdims = false): Out<A> => {
    const t = toAny(x);
    return apply1(op, [t], reduceAttrs(op.name, t, axis, keepdims)) as Out<A>;
  };
}

/** Sum over `axis` (a number, a list, or all axes when omitted). */
export const sum = reducer(SUM);
export const mean = reducer(MEAN);
export const max = reducer(MAX);
export const min = reducer(MIN);
export const prod = reducer(PROD);
