/**
 * Activation ops of keras.ops (Keras 3's keras/src/ops/nn.py), float tensors only. The frequent ones
 * (relu, relu6, sigmoid, silu, gelu, leakyRelu, softplus, softmax, logSoftmax) run one kernel of
 * src/backend/cpu/activations.ts; the rarer ones are composed from other ops.
 */
import { kernels } from "../../backend/kernels.js";
import { ACTIVATION_GRAD_OPERAND } from "../../backend/cpu/activations.js";
import { normalizeAxes, normalizeAxis, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import {
  abs,
  add,
  clip,
  divide,
  exp,
  expm1,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  minimum,
  multiply,
  negative,
  sqrt,
  square,
  subtract,
  tanh as tanhOf,
  where,
} from "../elementwise.js";
import { stopGradient } from "../gradient.js";
import { max, sum } from "../reduction.js";
import { apply1, defineOp, type GradContext, isRecording, type OpDef, toAny } from "../registry.js";
import { split } from "../shape.js";
import type { AnyTensor, Out, Spec, TensorInput } from "../types.js";
import { constant, requireFloat } from "./float_args.js";

const T = (x: AnyTensor) => x as Tensor;

function floatSpec(op: string) {
  return ([x]: readonly Spec[]): Spec => {
    requireFloat(op, x);
    return { shape: x.shape, dtype: x.dtype };
  };
}

// ---------------------------------------------------------------- element-wise, one kernel

interface ActAttrs {
  alpha: number;
}

function activationOp(
  name: string,
  kernelOp: string,
  grad: (dy: Tensor, x: Tensor, y: Tensor, alpha: number) => Tensor,
  publicName = name,
): OpDef<ActAttrs> {
  return defineOp<ActAttrs>({
    name,
    spec: floatSpec(publicName),
    forward: ([x], { alpha }, [o]) => {
      const out = Tensor.uninitialized(o.shape, o.dtype);
      kernels.activation(kernelOp, x, out, alpha);
      return out;
    },
    grad: ([dy], { inputs: [x], outputs: [y], attrs: { alpha } }: GradContext<ActAttrs>) => [grad(dy, x, y, alpha)],
  });
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// The gradients of these run one activationGrad kernel (from y, or from x for leakyRelu and silu).
const RELU = activationOp("relu", "relu", (dy, _x, y) => activationGrad("relu", dy, y));
const RELU6 = activationOp("relu6", "relu6", (dy, _x, y) => activationGrad("relu6", dy, y));
const LEAKY_RELU = activationOp("leakyRelu", "leakyRelu", (dy, x, _y, alpha) =>
  activationGrad("leakyRelu", dy, x, alpha),
);
const SIGMOID = activationOp("sigmoid", "sigmoid", (dy, _x, y) => activationGrad("sigmoid", dy, y));
const SILU = activationOp("silu", "silu", (dy, x) => activationGrad("silu", dy, x));
const SOFTPLUS = activationOp("softplus", "softplus", (dy, x) => T(multiply(dy, sigmoid(x))));
const ERF = activationOp("erf", "erf", (dy, x) =>
  T(multiply(dy, multiply(constant(2 / Math.sqrt(Math.PI), x), exp(negative(square(x)))))),
);
// d/dx x Φ(x) = Φ(x) + x φ(x)
const GELU = activationOp("gelu", "gelu", (dy, x) => {
  const cdf = multiply(0.5, add(1, erfInternal(multiply(x, constant(Math.SQRT1_2, x)))));
  const pdf = multiply(constant(INV_SQRT_2PI, x), exp(multiply(square(x), -0.5)));
  return T(multiply(dy, add(cdf, multiply(x, pdf))));
});
// y = x/2 (1 + tanh u), u = c (x + 0.044715 x³): dy/dx = (1 + t)/2 + x/2 (1 - t²) c (1 + 3·0.044715 x²)
const GELU_TANH = activationOp(
  "geluTanh",
  "geluTanh",
  (dy, x) => {
    const x2 = square(x);
    const c = constant(SQRT_2_OVER_PI, x);
    const t = T(tanhOf(multiply(c, multiply(x, add(1, multiply(constant(0.044715, x), x2))))));
    const du = multiply(c, add(1, multiply(constant(3 * 0.044715, x), x2)));
    const d = add(multiply(0.5, add(1, t)), multiply(multiply(0.5, x), multiply(subtract(1, square(t)), du)));
    return T(multiply(dy, d));
  },
  "gelu",
);

// ---------------------------------------------------------------- activation gradients, one kernel

interface ActGradAttrs {
  kind: string;
  alpha: number;
}

const ACTIVATION_GRAD = defineOp<ActGradAttrs>({
  name: "activationGrad",
  spec: ([dy, t], { kind }) => {
    const op = "ops.activationGrad";
    if (!Object.hasOwn(ACTIVATION_GRAD_OPERAND, kind)) {
      throw new Error(`${op}: unknown activation '${kind}' (expected one of ${Object.keys(ACTIVATION_GRAD_OPERAND)}).`);
    }
    requireFloat("activationGrad", dy, "dy");
    if (dy.dtype !== t.dtype || dy.shape.length !== t.shape.length || dy.shape.some((d, i) => d !== t.shape[i])) {
      throw new Error(
        `${op}: dy and ${ACTIVATION_GRAD_OPERAND[kind]} must have one shape and dtype, received ${shapeToString(dy.shape)} ${dy.dtype} and ${shapeToString(t.shape)} ${t.dtype}.`,
      );
    }
    return { shape: dy.shape, dtype: dy.dtype };
  },
  forward: ([dy, t], { kind, alpha }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.activationGrad(kind, dy, t, out, alpha);
    return out;
  },
  // Linear in dy; in t, the derivative of f'(t) (none where f' is piecewise constant).
  grad: ([g], { inputs: [dy, t], attrs: { kind, alpha }, needsGrad: [needDy, needT] }) => [
    needDy ? activationGrad(kind, g, t, alpha) : null,
    needT ? activationGradGrad(kind, g, dy, t) : null,
  ],
});

/** g · d/dt (dy · f'(t)); null where f' is piecewise constant (relu, relu6, leakyRelu). */
function activationGradGrad(kind: string, g: Tensor, dy: Tensor, t: Tensor): Tensor | null {
  const gd = multiply(g, dy);
  switch (kind) {
    case "sigmoid": // f' = y (1 - y): d/dy = 1 - 2y
      return T(multiply(gd, subtract(1, multiply(2, t))));
    case "tanh": // f' = 1 - y²: d/dy = -2y
      return T(multiply(gd, multiply(-2, t)));
    case "silu": {
      // f' = s (1 + x (1 - s)): f'' = s (1 - s) (2 + x (1 - 2s))
      const s = sigmoid(t);
      const ds = multiply(s, subtract(1, s));
      return T(multiply(gd, multiply(ds, add(2, multiply(t, subtract(1, multiply(2, s)))))));
    }
    default:
      return null;
  }
}

/**
 * dy · f'(x) for the activation `kind` in one kernel, from t = y = f(x) (relu, relu6, sigmoid,
 * tanh) or t = x (leakyRelu, silu). Differentiable (gradients of gradients).
 */
export function activationGrad(kind: string, dy: Tensor, t: Tensor, alpha = 0): Tensor {
  return T(apply1(ACTIVATION_GRAD, [dy, t], { kind, alpha }));
}

function act(op: OpDef<ActAttrs>, x: TensorInput, alpha = 0): AnyTensor {
  return apply1(op, [toAny(x)], { alpha });
}

/** The error function, used by the exact gelu and its gradient (not exported: ops.erf belongs to math). */
function erfInternal<A extends TensorInput>(x: A): Out<A> {
  return act(ERF, x) as Out<A>;
}

/** max(x, 0). */
export function relu<A extends TensorInput>(x: A): Out<A> {
  return act(RELU, x) as Out<A>;
}

/** min(max(x, 0), 6). */
export function relu6<A extends TensorInput>(x: A): Out<A> {
  return act(RELU6, x) as Out<A>;
}

/** 1 / (1 + e^{-x}), computed without overflow for large |x|. */
export function sigmoid<A extends TensorInput>(x: A): Out<A> {
  return act(SIGMOID, x) as Out<A>;
}

/** x · sigmoid(x). */
export function silu<A extends TensorInput>(x: A): Out<A> {
  return act(SILU, x) as Out<A>;
}

/** Keras's alias of silu. */
export const swish = silu;

/** log(1 + e^x), as max(x, 0) + log1p(e^{-|x|}) so that large |x| stays finite. */
export function softplus<A extends TensorInput>(x: A): Out<A> {
  return act(SOFTPLUS, x) as Out<A>;
}

/** x where x >= 0, negativeSlope · x elsewhere (Keras's default slope 0.2). */
export function leakyRelu<A extends TensorInput>(x: A, negativeSlope = 0.2): Out<A> {
  if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) {
    throw new TypeError(`ops.leakyRelu: negativeSlope must be a finite number, received ${negativeSlope}.`);
  }
  return act(LEAKY_RELU, x, negativeSlope) as Out<A>;
}

/**
 * Gaussian error linear unit. approximate=true (Keras 3's default): x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)));
 * approximate=false: x Φ(x) = x/2 (1 + erf(x/√2)).
 */
export function gelu<A extends TensorInput>(x: A, approximate = true): Out<A> {
  return act(approximate ? GELU_TANH : GELU, x) as Out<A>;
}

// ---------------------------------------------------------------- element-wise, composed

function floatArg(op: string, x: TensorInput): AnyTensor {
  const t = toAny(x);
  requireFloat(op, t);
  return t;
}

/** x where x >= 0, alpha (e^x - 1) elsewhere. */
export function elu<A extends TensorInput>(x: A, alpha = 1.0): Out<A> {
  const t = floatArg("elu", x);
  // expm1 of min(x, 0): the unused branch never overflows, so its (masked) gradient is never NaN.
  return where(greaterEqual(t, 0), t, multiply(constant(alpha, t), expm1(minimum(t, 0)))) as Out<A>;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Scaled elu with Klambauer et al.'s constants. */
export function selu<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("selu", x);
  return multiply(constant(SELU_SCALE, t), elu(t, SELU_ALPHA)) as Out<A>;
}

/** Keras 3's hard sigmoid: relu6(x + 3) / 6. */
export function hardSigmoid<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("hardSigmoid", x);
  return divide(relu6(add(t, 3)), 6) as Out<A>;
}

/** x / (1 + |x|). */
export function softsign<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("softsign", x);
  return divide(t, add(1, abs(t))) as Out<A>;
}

// ---------------------------------------------------------------- softmax, logSoftmax

interface AxisAttrs {
  axis: number;
}

function axisSpec(op: string) {
  return ([x]: readonly Spec[], { axis }: AxisAttrs): Spec => {
    requireFloat(op, x);
    normalizeAxis(`ops.${op}`, axis, x.shape.length);
    return { shape: x.shape, dtype: x.dtype };
  };
}

const SOFTMAX = defineOp<AxisAttrs>({
  name: "softmax",
  spec: axisSpec("softmax"),
  forward: ([x], { axis }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.softmax(x, axis, out);
    return out;
  },
  // dx = y (dy - Σ dy·y): one kernel when no tape records the backward pass, else the composed,
  // differentiable form.
  grad: ([dy], { outputs: [y], attrs: { axis } }) => [
    isRecording()
      ? T(multiply(y, subtract(dy, sum(multiply(dy, y), axis, true))))
      : T(apply1(SOFTMAX_GRAD, [dy, y], { axis })),
  ],
});

/** Softmax's gradient as one op; not differentiable (used only when no tape records it). */
const SOFTMAX_GRAD = defineOp<AxisAttrs>({
  name: "softmaxGrad",
  spec: ([, y]) => ({ shape: y.shape, dtype: y.dtype }),
  forward: ([dy, y], { axis }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.softmaxGrad(dy, y, axis, out);
    return out;
  },
});

const LOG_SOFTMAX = defineOp<AxisAttrs>({
  name: "logSoftmax",
  spec: axisSpec("logSoftmax"),
  forward: ([x], { axis }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.logSoftmax(x, axis, out);
    return out;
  },
  // dx = dy - softmax(x) Σ dy
  grad: ([dy], { outputs: [y], attrs: { axis } }) => [T(subtract(dy, multiply(exp(y), sum(dy, axis, true))))],
});

/** @inline */
export type SoftmaxAxis = number | readonly number[] | null;

/** Normalizes softmax's axis: one axis (the kernel's case) or several (composed). */
function softmaxAxes(op: string, t: AnyTensor, axis: SoftmaxAxis): number[] {
  return normalizeAxes(`ops.${op}`, axis, t.shape.length);
}

/**
 * Softmax along `axis` (default -1). A list of axes (or null: all axes) normalizes over their
 * product, as Keras does for a tuple.
 */
export function softmax<A extends TensorInput>(x: A, axis: SoftmaxAxis = -1): Out<A> {
  const t = floatArg("softmax", x);
  const axes = softmaxAxes("softmax", t, axis);
  if (axes.length === 1) return apply1(SOFTMAX, [t], { axis: axes[0] }) as Out<A>;
  // The max shift is a constant for differentiation: its gradient would cancel exactly.
  const e = exp(subtract(t, stopGradient(max(t, axes, true))));
  return divide(e, sum(e, axes, true)) as Out<A>;
}

/** log(softmax(x)) along `axis` (default -1), computed as x - max - log Σ e^{x - max}. */
export function logSoftmax<A extends TensorInput>(x: A, axis: SoftmaxAxis = -1): Out<A> {
  const t = floatArg("logSoftmax", x);
  const axes = softmaxAxes("logSoftmax", t, axis);
  if (axes.length === 1) return apply1(LOG_SOFTMAX, [t], { axis: axes[0] }) as Out<A>;
  const shifted = subtract(t, stopGradient(max(t, axes, true)));
  return subtract(shifted, log(sum(exp(shifted), axes, true))) as Out<A>;
}

// ---------------------------------------------------------------- rarer activations (composed)

/** log(sigmoid(x)) = -softplus(-x), finite for large |x|. */
export function logSigmoid<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("logSigmoid", x);
  return negative(softplus(negative(t))) as Out<A>;
}

/** x · hardSigmoid(x) (Keras's hard_silu, also called hard_swish). */
export function hardSilu<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("hardSilu", x);
  return multiply(t, hardSigmoid(t)) as Out<A>;
}

/** Keras's alias of hardSilu. */
export const hardSwish = hardSilu;

/** clip(x, -1, 1). */
export function hardTanh<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("hardTanh", x);
  return clip(t, -1, 1) as Out<A>;
}

/** max(x, 0) + alpha (e^{min(x, 0)/alpha} - 1). */
export function celu<A extends TensorInput>(x: A, alpha = 1.0): Out<A> {
  const t = floatArg("celu", x);
  if (!(alpha !== 0 && Number.isFinite(alpha))) {
    throw new RangeError(`ops.celu: alpha must be a finite non-zero number, received ${alpha}.`);
  }
  const a = constant(alpha, t);
  return add(relu(t), multiply(a, expm1(divide(minimum(t, 0), a)))) as Out<A>;
}

/** Gated linear unit: x split in halves a, b along `axis`, then a · sigmoid(b). */
export function glu<A extends TensorInput>(x: A, axis = -1): Out<A> {
  const t = floatArg("glu", x);
  const ax = normalizeAxis("ops.glu", axis, t.shape.length);
  const n = t.shape[ax];
  if (n !== null && n % 2 !== 0) {
    throw new Error(
      `ops.glu: axis ${axis} must have an even size to be split in two halves, received shape ${shapeToString(t.shape)}.`,
    );
  }
  const [a, b] = split(t, 2, ax);
  return multiply(a, sigmoid(b)) as Out<A>;
}

/** x where |x| > threshold, 0 elsewhere. */
export function hardShrink<A extends TensorInput>(x: A, threshold = 0.5): Out<A> {
  const t = floatArg("hardShrink", x);
  return where(greater(abs(t), constant(threshold, t)), t, 0) as Out<A>;
}

/** x - threshold above threshold, x + threshold below -threshold, 0 between. */
export function softShrink<A extends TensorInput>(x: A, threshold = 0.5): Out<A> {
  const t = floatArg("softShrink", x);
  const th = constant(threshold, t);
  return where(greater(t, th), subtract(t, th), where(less(t, negative(th)), add(t, th), 0)) as Out<A>;
}

/** x - tanh(x). */
export function tanhShrink<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("tanhShrink", x);
  return subtract(t, tanhOf(t)) as Out<A>;
}

/**
 * (x + sqrt(x² + b)) / 2, a smooth relu (Keras's default b = 4). For x < 0 it is computed as
 * b / (2 (sqrt(x² + b) - x)), the same value without the cancellation of x + sqrt(x² + b).
 */
export function squareplus<A extends TensorInput>(x: A, b = 4): Out<A> {
  const t = floatArg("squareplus", x);
  if (!(b >= 0)) throw new RangeError(`ops.squareplus: b must be >= 0, received ${b}.`);
  if (b === 0) return relu(t) as Out<A>;
  const bb = constant(b, t);
  const s = sqrt(add(square(t), bb));
  return where(greaterEqual(t, 0), multiply(0.5, add(t, s)), divide(bb, multiply(2, subtract(s, t)))) as Out<A>;
}

/** 0 for x <= -1, (x + 1)²/4 for -1 < x < 1, x for x >= 1. */
export function sparsePlus<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("sparsePlus", x);
  const mid = multiply(0.25, square(add(t, 1)));
  return where(lessEqual(t, -1), 0, where(greaterEqual(t, 1), t, mid)) as Out<A>;
}

/** x where x > threshold, defaultValue elsewhere. */
export function threshold<A extends TensorInput>(x: A, thresholdValue: number, defaultValue: number): Out<A> {
  const t = floatArg("threshold", x);
  return where(greater(t, constant(thresholdValue, t)), t, constant(defaultValue, t)) as Out<A>;
}
