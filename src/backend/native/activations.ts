/**
 * Native twins of the activation kernels (src/backend/cpu/activations.ts): activation by name,
 * softmax and logSoftmax, in double as TypeScript computes them; float32 only, small inputs and
 * other dtypes run the TypeScript kernel.
 */
import "../cpu/activations.js";
import { type KernelTable, backendKernels, registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";
import { addon, isF32, thresholds } from "./addon.js";

declare module "./addon.js" {
  interface NativeAddon {
    /** activationGrad(op code, dy, t, out, alpha): codes in GRAD_OPS below. */
    activationGrad(op: number, dy: Float32Array, t: Float32Array, out: Float32Array, alpha: number): void;
  }
}

const cpu = backendKernels("cpu") as KernelTable;

/** Codes of native/src/activations.cc (0-2: the one-compare activations, with their own threshold). */
const OPS: Record<string, number> = {
  relu: 0,
  relu6: 1,
  leakyRelu: 2,
  sigmoid: 3,
  silu: 4,
  softplus: 5,
  gelu: 6,
  geluTanh: 7,
  erf: 8,
};

function activation(op: string, x: Tensor, out: Tensor, alpha: number): void {
  const code = OPS[op];
  const min = code !== undefined && code <= 2 ? thresholds.activationCheap : thresholds.activation;
  if (code === undefined || out.size < min || !isF32(x) || !isF32(out)) cpu.activation(op, x, out, alpha);
  else addon!.activation(code, x.data as Float32Array, out.data as Float32Array, alpha);
}

/** Codes of activationGrad in native/src/activations.cc (silu costs an exp; the others a compare or two). */
const GRAD_OPS: Record<string, number> = { relu: 0, relu6: 1, leakyRelu: 2, sigmoid: 3, tanh: 4, silu: 5 };

function activationGrad(op: string, dy: Tensor, t: Tensor, out: Tensor, alpha: number): void {
  const code = GRAD_OPS[op];
  const min = code === 5 ? thresholds.activation : thresholds.activationCheap;
  if (code === undefined || out.size < min || !isF32(dy) || !isF32(t) || !isF32(out)) {
    cpu.activationGrad(op, dy, t, out, alpha);
  } else addon!.activationGrad(code, dy.data as Float32Array, t.data as Float32Array, out.data as Float32Array, alpha);
}

function softmaxOf(x: Tensor, axis: number, out: Tensor, logarithm: boolean): boolean {
  if (x.size < thresholds.softmax || !isF32(x) || !isF32(out)) return false;
  if (axis < 0) axis += x.rank;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i];
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  addon!.softmax(x.data as Float32Array, out.data as Float32Array, outer, x.shape[axis], inner, logarithm);
  return true;
}

function softmax(x: Tensor, axis: number, out: Tensor): void {
  if (!softmaxOf(x, axis, out, false)) cpu.softmax(x, axis, out);
}

function logSoftmax(x: Tensor, axis: number, out: Tensor): void {
  if (!softmaxOf(x, axis, out, true)) cpu.logSoftmax(x, axis, out);
}

if (addon) registerKernels("native", { activation, activationGrad, softmax, logSoftmax });
