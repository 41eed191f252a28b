import { kernels } from "../backend/kernels.js";
import { broadcastShapes, type SpecShape, shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { unbroadcast } from "./elementwise.js";
import { apply1, defineOp, toAny } from "./registry.js";
import type { Out, TensorInput } from "./types.js";

// ---------------------------------------------------------------- reshape

/** Resolves a target shape with at most one -1 against an input shape that may hold nulls. */
function reshapeSpec(op: string, inShape: SpecShape, target: readonly number[]): SpecShape {
  let unknown = -1;
  let known = 1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new Error(`${op}: only one dimension can be -1, received ${shapeToString(target)}.`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: dimensions must be non-negative integers or -1, received ${shapeToString(target)}.`);
    } else known *= d;
  });
  const inKnown = !inShape.includes(null);
  const inSize = inKnown ? (inShape as number[]).reduce((a, b) => a * b, 1) : null;
  if (unknown < 0) {
    if (inSize !== null && inSize !== known) {
      throw new Error(
        `${op}: cannot reshape a tensor of shape ${shapeToString(inShape)} (${inSize} elements) into shape ${shapeToString(target)} (${known} elements).`,
      );
    }
    return target.slice();
  }
  const out: SpecShape = target.slice();
  if (inSize === null) {
    out[unknown] = null;
    return out;
  }
  if (known === 0 || inSize % known !== 0) {
    throw new Error(
      `${op}: cannot reshape a tensor of shape ${shapeToString(inShape)} (${inSize} elements) into shape ${shapeToString(target)}: ${inSize} is not a multiple of ${known}.`,
    );
  }
  out[unknown] = inSize / known;
  return out;
}

const RESHAPE = defineOp<{ shape: number[] }>({
  name: "reshape",
  spec: ([x], { shape }) => ({ shape: reshapeSpec("ops.reshape", x.shape, shape), dtype: x.dtype }),
  // Tensors are immutable, so the reshaped tensor shares the buffer.
  forward: ([x], _attrs, [o]) => new Tensor(x.data, o.shape, x.dtype),
  grad: ([dy], { inputs: [x] }) => [reshape(dy, x.shape) as Tensor],
});

/** Gives `x` a new shape with the same number of elements; one dimension may be -1. */
export function reshape<A extends TensorInput>(x: A, newShape: readonly number[]): Out<A> {
  return apply1(RESHAPE, [toAny(x)], { shape: newShape.slice() }) as Out<A>;
}

// ---------------------------------------------------------------- broadcastTo

const BROADCAST_TO = defineOp<{ shape: number[] }>({
  name: "broadcastTo",
  spec: ([x], { shape }) => {
    const b = broadcastShapes("ops.broadcastTo", x.shape, shape);
    if (x.shape.length > shape.length || b.some((d, i) => d !== null && d !== shape[i])) {
      throw new Error(
        `ops.broadcastTo: cannot broadcast a tensor of shape ${shapeToString(x.shape)} to shape ${shapeToString(shape)}.`,
      );
    }
    return { shape: shape.slice(), dtype: x.dtype };
  },
  forward: ([x], _a, [o]) => {
    if (x.size === o.shape.reduce((a, b) => a * b, 1)) return new Tensor(x.data, o.shape, x.dtype);
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.broadcastTo(x, out);
    return out;
  },
  grad: ([dy], { inputs: [x] }) => [unbroadcast(dy, x.shape)],
});

/** Broadcasts `x` to `shape` by NumPy's rules. */
export function broadcastTo<A extends TensorInput>(x: A, shape: readonly number[]): Out<A> {
  return apply1(BROADCAST_TO, [toAny(x)], { shape: shape.slice() }) as Out<A>;
}
