/**
 * activation(x · kernel + bias) as one op, the Dense layer's call: one output tensor instead of
 * three (the bias added by the product kernel, the activation applied in place), and in the
 * backward pass one activationGrad from the output.
 */
import { kernels } from "../../backend/kernels.js";
import { shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { matmulOp } from "../linalg.js";
import { sum } from "../reduction.js";
import { apply1, defineOp, toAny } from "../registry.js";
import { reshape } from "../shape.js";
import type { AnyTensor, Out, TensorInput } from "../types.js";
import { activationGrad } from "./activations.js";
import type { FusedActivation } from "./conv.js";
import { requireFloat } from "./float_args.js";

const T = (x: AnyTensor) => x as Tensor;

interface DenseAttrs {
  activation: FusedActivation;
}

const DENSE = defineOp<DenseAttrs>({
  name: "dense",
  spec: ([x, w, b]) => {
    const got = `received inputs ${shapeToString(x.shape)}, kernel ${shapeToString(w.shape)}${b ? `, bias ${shapeToString(b.shape)}` : ""}`;
    const K = x.shape[x.shape.length - 1];
    const N = w.shape[1];
    const fits =
      x.shape.length >= 1 &&
      w.shape.length === 2 &&
      (K === null || w.shape[0] === null || K === w.shape[0]) &&
      (b === undefined || (b.shape.length === 1 && (N === null || b.shape[0] === null || b.shape[0] === N)));
    if (!fits) {
      throw new Error(`ops.dense: expected inputs [..., k], kernel [k, units] and bias [units], ${got}.`);
    }
    if (w.dtype !== x.dtype || (b && b.dtype !== x.dtype)) {
      throw new TypeError(
        `ops.dense: inputs, kernel and bias must share one float dtype, ${got} with dtypes ${x.dtype}, ${w.dtype}${b ? `, ${b.dtype}` : ""}.`,
      );
    }
    return { shape: [...x.shape.slice(0, -1), N], dtype: x.dtype };
  },
  forward: ([x, w, b], { activation }, [o]) => {
    const [K, N] = w.shape;
    const out = Tensor.uninitialized(o.shape, o.dtype);
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    // The kernels see [1, rows, K] @ [1, K, N] -> [1, rows, N] views of the same buffers; the bias
    // is added by the product kernel (oneDNN's bias argument), the activation in place.
    kernels.matmul(view(x, [1, rows, K]), view(w, [1, K, N]), view(out, [1, rows, N]), false, false, b ?? null);
    if (activation !== null) kernels.activation(activation, out, out, 0);
    return out;
  },
  grad: ([dy], { inputs: [x, w, b], outputs: [y], attrs: { activation }, needsGrad: [needX, needW, needB] }) => {
    const dz = activation === null ? dy : activationGrad(activation, dy, y);
    const [K, N] = w.shape;
    const dz2 = x.rank === 2 ? dz : T(reshape(dz, [-1, N]));
    const x2 = x.rank === 2 ? x : T(reshape(x, [-1, K]));
    const grads: (Tensor | null)[] = [
      needX ? T(reshape(matmulOp(dz2, w, false, true), x.shape)) : null,
      needW ? T(matmulOp(x2, dz2, true, false)) : null,
    ];
    if (b) grads.push(needB ? T(sum(dz2, 0)) : null);
    return grads;
  },
});

function view(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.data, shape, t.dtype);
}

/**
 * activation(inputs · kernel + bias) as one op: kernel [k, units], bias [units] or null,
 * activation "relu", "relu6" or null (none). Inputs, kernel and bias share one float dtype.
 */
export function dense<A extends TensorInput>(
  inputs: A,
  kernel: TensorInput,
  bias: TensorInput | null,
  activation: FusedActivation = null,
): Out<A> {
  const x = toAny(inputs);
  requireFloat("dense", x, "inputs");
  const ins: AnyTensor[] = [x, toAny(kernel)];
  if (bias !== null) ins.push(toAny(bias));
  return apply1(DENSE, ins, { activation }) as Out<A>;
}
