import { registerKernels } from "../kernels.js";
import type { Tensor } from "../tensor.js";

/**
 * Activation kernels: element-wise activations by name, and softmax / logSoftmax along one axis.
 * The native addon overrides them by the same names and signatures.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.7978845608028654;

/** erf for 0 <= z < 2: e^{-z²} times a series of positive terms (no cancellation). */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let acc = z;
  for (let n = 1; n < 100; n++) {
    term *= (2 * z2) / (2 * n + 1);
    acc += term;
    if (term < 1e-17 * acc) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * acc;
}

/** erfc for z >= 2: Laplace's continued fraction, 40 levels give double precision there. */
function erfcLarge(z: number): number {
  if (z > 27) return 0;
  let t = z;
  for (let k = 40; k >= 1; k--) t = z + k / 2 / t;
  return (INV_SQRT_PI * Math.exp(-z * z)) / t;
}

/** The error function, accurate to about 1e-15 relative. */
export function erf(z: number): number {
  if (Number.isNaN(z)) return z;
  if (z >= 2) return 1 - erfcLarge(z);
  if (z <= -2) return erfcLarge(-z) - 1;
  return z < 0 ? -erfSeries(-z) : erfSeries(z);
}

/** 1 - erf(z), without cancellation in the tail z >> 0. */
export function erfc(z: number): number {
  if (Number.isNaN(z)) return z;
  if (z >= 2) return erfcLarge(z);
  if (z <= -2) return 2 - erfcLarge(-z);
  return 1 - (z < 0 ? -erfSeries(-z) : erfSeries(z));
}

/**
 * out = f(x) element-wise for the activation named `op`; `alpha` is the parameter of those that
 * have one (leakyRelu: the negative slope), ignored by the others.
 */
function activation(op: string, x: Tensor, out: Tensor, alpha: number): void {
  const X = x.data;
  const O = out.data;
  const n = O.length;
  switch (op) {
    case "relu":
      // NaN < 0 is false, so NaN passes through as in NumPy's maximum.
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = v < 0 ? 0 : v;
      }
      return;
    case "relu6":
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = v < 0 ? 0 : v > 6 ? 6 : v;
      }
      return;
    case "leakyRelu":
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = v < 0 ? alpha * v : v;
      }
      return;
    case "sigmoid":
      // e^{-|x|} never overflows; inlined, as this loop is hot.
      for (let i = 0; i < n; i++) {
        const v = X[i];
        const e = Math.exp(v < 0 ? v : -v);
        O[i] = v < 0 ? e / (1 + e) : 1 / (1 + e);
      }
      return;
    case "silu":
      for (let i = 0; i < n; i++) {
        const v = X[i];
        const e = Math.exp(v < 0 ? v : -v);
        O[i] = v < 0 ? (v * e) / (1 + e) : v / (1 + e);
      }
      return;
    case "softplus":
      // log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}): finite for any finite x.
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      return;
    case "gelu":
      // x Φ(x) with Φ(x) = erfc(-x/√2)/2, accurate in the far negative tail too.
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = 0.5 * v * erfc(-v * INV_SQRT_2);
      }
      return;
    case "geluTanh":
      for (let i = 0; i < n; i++) {
        const v = X[i];
        O[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      return;
    case "erf":
      for (let i = 0; i < n; i++) O[i] = erf(X[i]);
      return;
    default:
      throw new Error(`cpu kernel 'activation': unknown op '${op}'.`);
  }
}

/**
 * Which operand the gradient of each activation reads: its output y where the derivative is a
 * function of y (relu, relu6, sigmoid, tanh: so a layer can fuse the activation into the op before
 * it and keep only y), its input x elsewhere.
 */
export const ACTIVATION_GRAD_OPERAND: Readonly<Record<string, "x" | "y">> = {
  relu: "y",
  relu6: "y",
  sigmoid: "y",
  tanh: "y",
  leakyRelu: "x",
  silu: "x",
};

/**
 * out = dy · f'(x) for the activation named `op`, where `t` is y = f(x) or x itself as
 * ACTIVATION_GRAD_OPERAND says; `alpha` as in `activation`. One pass, computed in double.
 */
function activationGrad(op: string, dy: Tensor, t: Tensor, out: Tensor, alpha: number): void {
  const D = dy.data;
  const T = t.data;
  const O = out.data;
  const n = O.length;
  switch (op) {
    case "relu":
      for (let i = 0; i < n; i++) O[i] = T[i] > 0 ? D[i] : 0;
      return;
    case "relu6":
      for (let i = 0; i < n; i++) {
        const v = T[i];
        O[i] = v > 0 && v < 6 ? D[i] : 0;
      }
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) {
        const v = T[i];
        O[i] = D[i] * (v * (1 - v));
      }
      return;
    case "tanh":
      for (let i = 0; i < n; i++) {
        const v = T[i];
        O[i] = D[i] * (1 - v * v);
      }
      return;
    case "leakyRelu":
      for (let i = 0; i < n; i++) O[i] = T[i] < 0 ? alpha * D[i] : D[i];
      return;
    case "silu":
      // d/dx x·s(x) = s (1 + x (1 - s)), s from e^{-|x|} as in the forward pass.
      for (let i = 0; i < n; i++) {
        const v = T[i];
        const e = Math.exp(v < 0 ? v : -v);
        const s = v < 0 ? e / (1 + e) : 1 / (1 + e);
        O[i] = D[i] * (s * (1 + v * (1 - s)));
      }
      return;
    default:
      throw new Error(`cpu kernel 'activationGrad': unknown op '${op}'.`);
  }
}

/** `shape` seen as [outer, n, inner] around `axis`: lane (o, j) holds o*n*inner + j + k*inner, k < n. */
function lanes(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, n: shape[axis], inner };
}

/**
 * Softmax (or its logarithm) along one axis, stable by subtracting each lane's max. A lane whose
 * max is ±Infinity gives NaN for softmax where NumPy does too (e.g. all -Infinity).
 */
function softmaxImpl(x: Tensor, axis: number, out: Tensor, logarithm: boolean): void {
  const X = x.data;
  const O = out.data;
  const { outer, n, inner } = lanes(x.shape, axis);
  if (inner === 1) {
    for (let base = 0; base < outer * n; base += n) lane(X, O, base, n, logarithm);
    return;
  }
  // Strided lanes: sweep whole rows of `inner` elements at a time so that memory is read in order.
  const m = new Float64Array(inner);
  const s = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const start = o * n * inner;
    m.fill(-Infinity);
    s.fill(0);
    for (let k = 0, p = start; k < n; k++) {
      for (let j = 0; j < inner; j++, p++) {
        const v = X[p];
        if (v > m[j] || Number.isNaN(v)) m[j] = v;
      }
    }
    for (let j = 0; j < inner; j++) if (m[j] === -Infinity) m[j] = 0;
    for (let k = 0, p = start; k < n; k++) {
      for (let j = 0; j < inner; j++, p++) {
        const e = Math.exp(X[p] - m[j]);
        if (!logarithm) O[p] = e;
        s[j] += e;
      }
    }
    if (logarithm) {
      for (let j = 0; j < inner; j++) s[j] = m[j] + Math.log(s[j]);
      for (let k = 0, p = start; k < n; k++) for (let j = 0; j < inner; j++, p++) O[p] = X[p] - s[j];
    } else {
      for (let j = 0; j < inner; j++) s[j] = 1 / s[j];
      for (let k = 0, p = start; k < n; k++) for (let j = 0; j < inner; j++, p++) O[p] *= s[j];
    }
  }
}

/** One contiguous lane of length n at `base`. */
function lane(X: Tensor["data"], O: Tensor["data"], base: number, n: number, logarithm: boolean): void {
  const end = base + n;
  let m = -Infinity;
  for (let p = base; p < end; p++) {
    const v = X[p];
    if (v > m || Number.isNaN(v)) m = v;
  }
  if (m === -Infinity) m = 0; // all -Infinity: exp gives 0s and the result NaN, as in NumPy.
  let s = 0;
  if (logarithm) {
    for (let p = base; p < end; p++) s += Math.exp(X[p] - m);
    const lse = m + Math.log(s);
    for (let p = base; p < end; p++) O[p] = X[p] - lse;
    return;
  }
  // One exp per element: store the exponentials, then scale them.
  for (let p = base; p < end; p++) {
    const e = Math.exp(X[p] - m);
    O[p] = e;
    s += e;
  }
  const r = 1 / s;
  for (let p = base; p < end; p++) O[p] *= r;
}

function softmax(x: Tensor, axis: number, out: Tensor): void {
  softmaxImpl(x, axis, out, false);
}

function logSoftmax(x: Tensor, axis: number, out: Tensor): void {
  softmaxImpl(x, axis, out, true);
}

/**
 * Softmax's gradient from its output, dx = y (dy - sum(dy y)) along `axis`, in one pass per lane
 * instead of four ops. Each operation rounds to the tensors' dtype as the composed ops' outputs
 * do (the sum accumulates in double, as the reduction kernel does), so the values match theirs.
 */
function softmaxGrad(dy: Tensor, y: Tensor, axis: number, out: Tensor): void {
  const D = dy.data;
  const Y = y.data;
  const O = out.data;
  const { outer, n, inner } = lanes(y.shape, axis);
  const f32 = y.dtype === "float32";
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * n * inner + j;
      const end = start + n * inner;
      let s = 0;
      if (f32) {
        for (let p = start; p < end; p += inner) s += Math.fround(D[p] * Y[p]);
        s = Math.fround(s);
        for (let p = start; p < end; p += inner) O[p] = Math.fround(Y[p] * Math.fround(D[p] - s));
      } else {
        for (let p = start; p < end; p += inner) s += D[p] * Y[p];
        for (let p = start; p < end; p += inner) O[p] = Y[p] * (D[p] - s);
      }
    }
  }
}

declare module "../kernels.js" {
  interface KernelTable {
    /** dx = y (dy - sum(dy y)) along `axis`: softmax's gradient from its output. */
    softmaxGrad(dy: Tensor, y: Tensor, axis: number, out: Tensor): void;
    activation(op: string, x: Tensor, out: Tensor, alpha: number): void;
    /** out = dy · f'(x) for activation `op`, from t = y or x (ACTIVATION_GRAD_OPERAND); same shapes. */
    activationGrad(op: string, dy: Tensor, t: Tensor, out: Tensor, alpha: number): void;
    softmax(x: Tensor, axis: number, out: Tensor): void;
    logSoftmax(x: Tensor, axis: number, out: Tensor): void;
  }
}

registerKernels("cpu", { activation, activationGrad, softmax, softmaxGrad, logSoftmax });
