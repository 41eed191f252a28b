import { Tensor } from "../backend/tensor.js";
import { apply1, defineOp, toAny } from "./registry.js";
import type { Out, TensorInput } from "./types.js";

const STOP_GRADIENT = defineOp({
  name: "stopGradient",
  nonDifferentiable: true,
  spec: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  forward: ([x]) => new Tensor(x.data, x.shape, x.dtype),
});

/** The same values, seen by autodiff as a constant: no gradient flows back through it. */
export function stopGradient<A extends TensorInput>(x: A): Out<A> {
  return apply1(STOP_GRADIENT, [toAny(x)], {}) as Out<A>;
}
