/**
 * Convolutions with Keras 3's signatures and formulas (keras.ops.conv, depthwise_conv, separable_conv,
 * conv_transpose). The ops compute channels-last; channels_first inputs are transposed around them.
 * Gradients are the ops convBackpropInput / convBackpropFilter, whose own gradients are convolutions
 * again, so gradients of gradients work. A transposed convolution is the input gradient of a convolution.
 */
import "../../backend/cpu/conv.js";
import type { ConvParams } from "../../backend/cpu/conv.js";
import { promoteTypes } from "../../backend/dtypes.js";
import { kernels } from "../../backend/kernels.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { cast } from "../elementwise.js";
import { sum } from "../reduction.js";
import { apply1, defineOp, toAny } from "../registry.js";
import { reshape } from "../shape.js";
import type { AnyTensor, Out, Spec, TensorInput } from "../types.js";
import { activationGrad } from "./activations.js";
import {
  channelsToFirst,
  channelsToLast,
  checkFloat,
  checkInput,
  effectiveSize,
  type Padding,
  resolvePads,
  spatialTuple,
  standardizeDataFormat,
  standardizePadding,
  windowOutSize,
} from "./conv_utils.js";

export type { ConvParams };

export interface ConvOptions {
  /** Int or one int per spatial axis (default 1). */
  strides?: number | readonly number[];
  /** "valid" (default) or "same" (TensorFlow's: output ceil(in / stride), odd extra padding at the end). */
  padding?: string;
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
  /** Int or one int per spatial axis (default 1). */
  dilationRate?: number | readonly number[];
}

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size at the end of each output axis (Keras's output_padding); null for Keras's default. */
  outputPadding?: number | readonly number[] | null;
}

interface ConvAttrs {
  strides: number[];
  dilation: number[];
  padding: Padding;
  /** The public op the attrs came from, for error messages. */
  opName: string;
}

const T = (x: AnyTensor) => x as Tensor;

// ---------------------------------------------------------------- conv

function convSpec([x, w]: readonly Spec[], { strides, dilation, padding, opName: op }: ConvAttrs): Spec {
  const n = checkInput(op, x);
  checkFloat(op, w, "kernel");
  const got = `received inputs shape ${shapeToString(x.shape)} and kernel shape ${shapeToString(w.shape)}`;
  if (w.shape.length !== n + 2) {
    throw new Error(
      `${op}: the kernel must have rank ${n + 2} ([...${n} kernel sizes, input channels, output channels]) for inputs of rank ${n + 2}, ${got}.`,
    );
  }
  const C = x.shape[n + 1];
  const Cg = w.shape[n];
  const O = w.shape[n + 1];
  if (C !== null && Cg !== null) {
    if (Cg < 1 || C % Cg !== 0) {
      throw new Error(
        `${op}: the input channels (${C}) must equal the kernel's input channels (${Cg}) or be a multiple of them (grouped convolution), ${got}.`,
      );
    }
    const groups = C / Cg;
    if (O !== null && O % groups !== 0) {
      throw new Error(
        `${op}: the kernel's output channels (${O}) must be divisible by the number of groups (${groups} = ${C} / ${Cg}), ${got}.`,
      );
    }
  }
  const out: SpecShape = [x.shape[0]];
  for (let i = 0; i < n; i++) {
    const k = w.shape[i];
    const size =
      k === null ? null : windowOutSize(x.shape[i + 1], effectiveSize(k, dilation[i]), strides[i], padding, i);
    if (size !== null && size < 1) {
      throw new Error(
        `${op}: the kernel (size ${k}, dilation ${dilation[i]}) does not fit in spatial axis ${i} of the input ` +
          `(size ${x.shape[i + 1]}) with padding=${JSON.stringify(padding)}: the output size would be ${size}, ${got}.`,
      );
    }
    out.push(size);
  }
  out.push(O);
  if (x.dtype !== w.dtype) throw new TypeError(`${op}: inputs and kernel dtypes differ (${x.dtype}, ${w.dtype}).`);
  return { shape: out, dtype: x.dtype };
}

/** The explicit kernel parameters of a convolution on concrete shapes. */
function convParams(xShape: readonly number[], wShape: readonly number[], a: ConvAttrs): ConvParams {
  const n = xShape.length - 2;
  const k = wShape.slice(0, n).map((s, i) => effectiveSize(s, a.dilation[i]));
  const pads = resolvePads(a.padding, xShape.slice(1, n + 1), k, a.strides);
  return {
    strides: a.strides,
    padBefore: pads.before,
    padAfter: pads.after,
    dilation: a.dilation,
    groups: xShape[n + 1] / wShape[n],
  };
}

const explicit = (p: ConvParams): Padding => ({ before: p.padBefore, after: p.padAfter });

const CONV = defineOp<ConvAttrs>({
  name: "conv",
  spec: convSpec,
  forward: ([x, w], attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.conv(x, w, out, convParams(x.shape, w.shape, attrs));
    return out;
  },
  grad: ([dy], { inputs: [x, w], attrs, needsGrad: [needX, needW] }) => {
    const p = convParams(x.shape, w.shape, attrs);
    return [
      needX ? convBackpropInput(dy, w, x.shape.slice(1, -1), p) : null,
      needW ? convBackpropFilter(x, dy, w.shape.slice(0, -2), p) : null,
    ];
  },
});

/** A convolution with explicit parameters (the adjoint of the backprop ops). */
function convWith(x: Tensor, w: Tensor, p: ConvParams): Tensor {
  const attrs: ConvAttrs = { strides: p.strides, dilation: p.dilation, padding: explicit(p), opName: "ops.conv" };
  return T(apply1(CONV, [x, w], attrs));
}

interface BackpropInputAttrs {
  p: ConvParams;
  inSpatial: number[];
}

const CONV_BACKPROP_INPUT = defineOp<BackpropInputAttrs>({
  name: "convBackpropInput",
  spec: ([dy, w], { p, inSpatial }) => {
    const cg = w.shape[w.shape.length - 2];
    return { shape: [dy.shape[0], ...inSpatial, cg === null ? null : cg * p.groups], dtype: dy.dtype };
  },
  forward: ([dy, w], { p }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.convBackpropInput(dy, w, out, p);
    return out;
  },
  // dx is bilinear in (dy, w): its adjoints are the forward convolution and the filter gradient.
  grad: ([ddx], { inputs: [dy, w], attrs: { p }, needsGrad: [needDy, needW] }) => [
    needDy ? convWith(ddx, w, p) : null,
    needW ? convBackpropFilter(ddx, dy, w.shape.slice(0, -2), p) : null,
  ],
});

interface BackpropFilterAttrs {
  p: ConvParams;
  kSpatial: number[];
}

const CONV_BACKPROP_FILTER = defineOp<BackpropFilterAttrs>({
  name: "convBackpropFilter",
  spec: ([x, dy], { p, kSpatial }) => {
    const c = x.shape[x.shape.length - 1];
    return {
      shape: [...kSpatial, c === null ? null : c / p.groups, dy.shape[dy.shape.length - 1]],
      dtype: x.dtype,
    };
  },
  forward: ([x, dy], { p }, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.convBackpropFilter(x, dy, out, p);
    return out;
  },
  grad: ([ddw], { inputs: [x, dy], attrs: { p }, needsGrad: [needX, needDy] }) => [
    needX ? convBackpropInput(dy, ddw, x.shape.slice(1, -1), p) : null,
    needDy ? convWith(x, ddw, p) : null,
  ],
});

/** Gradient of a convolution with respect to its input, as an op (so that it can be differentiated). */
export function convBackpropInput(dy: Tensor, w: Tensor, inSpatial: readonly number[], p: ConvParams): Tensor {
  return T(apply1(CONV_BACKPROP_INPUT, [dy, w], { p, inSpatial: inSpatial.slice() }));
}

/** Gradient of a convolution with respect to its kernel, as an op. */
export function convBackpropFilter(x: Tensor, dy: Tensor, kSpatial: readonly number[], p: ConvParams): Tensor {
  return T(apply1(CONV_BACKPROP_FILTER, [x, dy], { p, kSpatial: kSpatial.slice() }));
}

// ---------------------------------------------------------------- conv + bias + activation, one op

/** Activations fused into a convolution: those whose gradient reads only their output. */
export type FusedActivation = "relu" | "relu6" | null;

interface FusedAttrs extends ConvAttrs {
  activation: FusedActivation;
}

/**
 * act(conv(x, w) + b) with inputs [x, w] or [x, w, b]: one output tensor instead of three (the
 * bias is added by the convolution kernel, the activation applied in place), and in the backward
 * pass one activationGrad from the output.
 */
const CONV_BIAS_ACTIVATION = defineOp<FusedAttrs>({
  name: "convBiasActivation",
  spec: ([x, w, b], attrs) => {
    const y = convSpec([x, w], attrs);
    if (b !== undefined) {
      const O = y.shape[y.shape.length - 1];
      if (b.shape.length !== 1 || (O !== null && b.shape[0] !== null && b.shape[0] !== O) || b.dtype !== y.dtype) {
        throw new Error(
          `${attrs.opName}: the bias must be a vector of the ${O} output channels with dtype ${y.dtype}, received shape ${shapeToString(b.shape)} and dtype ${b.dtype}.`,
        );
      }
    }
    return y;
  },
  forward: ([x, w, b], attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.conv(x, w, out, convParams(x.shape, w.shape, attrs), b ?? null);
    if (attrs.activation !== null) kernels.activation(attrs.activation, out, out, 0);
    return out;
  },
  grad: ([dy], { inputs: [x, w, b], outputs: [y], attrs, needsGrad: [needX, needW, needB] }) => {
    const dz = attrs.activation === null ? dy : activationGrad(attrs.activation, dy, y);
    const p = convParams(x.shape, w.shape, attrs);
    const grads = [
      needX ? convBackpropInput(dz, w, x.shape.slice(1, -1), p) : null,
      needW ? convBackpropFilter(x, dz, w.shape.slice(0, -2), p) : null,
    ];
    if (b !== undefined) grads.push(needB ? T(sum(dz, [...Array(dz.rank - 1).keys()])) : null);
    return grads;
  },
});

// ---------------------------------------------------------------- conv transpose

interface ConvTransposeAttrs {
  strides: number[];
  dilation: number[];
  padding: "valid" | "same";
  outputPadding: number[] | null;
}

/** Keras's output size of a transposed convolution along one axis (`k` the dilated kernel size). */
function transposeOutSize(n: number, k: number, s: number, padding: "valid" | "same", op: number | null): number {
  if (padding === "valid") return (n - 1) * s + k + (op ?? Math.max(k, s) - k);
  return op === null ? n * s : (n - 1) * s + (k % 2) + op;
}

/** Keras's left padding of the equivalent (JAX) dilated convolution, from backend_utils. */
function transposeLeftPad(k: number, s: number, padding: "valid" | "same", op: number | null): number {
  if (padding === "valid") return k - 1;
  const padLen = op === null ? s + k - 2 : k + (k % 2) - 2 + op;
  return Math.min(Math.floor(padLen / 2) + (padLen % 2), k - 1);
}

const CONV_TRANSPOSE = defineOp<ConvTransposeAttrs>({
  name: "convTranspose",
  spec: ([x, w], { strides, dilation, padding, outputPadding }) => {
    const op = "ops.convTranspose";
    const n = checkInput(op, x);
    checkFloat(op, w, "kernel");
    const got = `received inputs shape ${shapeToString(x.shape)} and kernel shape ${shapeToString(w.shape)}`;
    if (w.shape.length !== n + 2) {
      throw new Error(
        `${op}: the kernel must have rank ${n + 2} ([...${n} kernel sizes, output channels, input channels]) for inputs of rank ${n + 2}, ${got}.`,
      );
    }
    const C = x.shape[n + 1];
    const Ck = w.shape[n + 1];
    if (C !== null && Ck !== null && C !== Ck) {
      throw new Error(`${op}: the input channels (${C}) must equal the kernel's last axis (${Ck}), ${got}.`);
    }
    if (x.dtype !== w.dtype) throw new TypeError(`${op}: inputs and kernel dtypes differ (${x.dtype}, ${w.dtype}).`);
    const out: SpecShape = [x.shape[0]];
    for (let i = 0; i < n; i++) {
      const size = x.shape[i + 1];
      const k = w.shape[i];
      const o =
        size === null || k === null
          ? null
          : transposeOutSize(size, effectiveSize(k, dilation[i]), strides[i], padding, outputPadding?.[i] ?? null);
      if (o !== null && o < 1) {
        throw new Error(`${op}: the output size along spatial axis ${i} would be ${o}, ${got}.`);
      }
      out.push(o);
    }
    out.push(w.shape[n]);
    return { shape: out, dtype: x.dtype };
  },
  forward: ([x, w], attrs, [o]) => {
    const out = Tensor.uninitialized(o.shape, o.dtype);
    kernels.convBackpropInput(x, w, out, transposeParams(x.shape, w.shape, o.shape, attrs));
    return out;
  },
  grad: ([dy], { inputs: [x, w], outputs: [y], attrs, needsGrad: [needX, needW] }) => {
    const p = transposeParams(x.shape, w.shape, y.shape, attrs);
    return [needX ? convWith(dy, w, p) : null, needW ? convBackpropFilter(dy, x, w.shape.slice(0, -2), p) : null];
  },
});

/**
 * The convolution whose input gradient is this transposed convolution: inputs `x` play dy, the
 * output plays dx. padBefore = k - 1 - (JAX's left pad); padAfter makes the sizes match exactly.
 */
function transposeParams(
  xShape: readonly number[],
  wShape: readonly number[],
  yShape: readonly number[],
  a: ConvTransposeAttrs,
): ConvParams {
  const n = xShape.length - 2;
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = effectiveSize(wShape[i], a.dilation[i]);
    const s = a.strides[i];
    const b = k - 1 - transposeLeftPad(k, s, a.padding, a.outputPadding?.[i] ?? null);
    before.push(b);
    after.push((xShape[i + 1] - 1) * s + k - yShape[i + 1] - b);
  }
  return { strides: a.strides, padBefore: before, padAfter: after, dilation: a.dilation, groups: 1 };
}

// ---------------------------------------------------------------- public API

interface Prepared {
  x: AnyTensor;
  kernels: AnyTensor[];
  n: number;
  strides: number[];
  dilation: number[];
  padding: "valid" | "same";
  first: boolean;
}

/** Validates the common arguments, casts to one float dtype and moves channels last. */
function prepare(op: string, inputs: TensorInput, kernelArgs: TensorInput[], o: ConvOptions): Prepared {
  let x = toAny(inputs);
  let ks = kernelArgs.map((k) => toAny(k));
  const n = checkInput(op, x);
  for (const [i, k] of ks.entries()) {
    checkFloat(op, k, ks.length === 1 ? "kernel" : i === 0 ? "depthwise kernel" : "pointwise kernel");
  }
  const strides = spatialTuple(op, "strides", o.strides ?? 1, n);
  const dilation = spatialTuple(op, "dilationRate", o.dilationRate ?? 1, n);
  const padding = standardizePadding(op, o.padding ?? "valid");
  const first = standardizeDataFormat(op, o.dataFormat) === "channels_first";
  // Keras computes in one dtype; with float32 and float64 mixed, use float64.
  const dtype = ks.reduce((d, k) => promoteTypes(d, k.dtype), x.dtype);
  if (x.dtype !== dtype) x = cast(x, dtype);
  ks = ks.map((k) => (k.dtype === dtype ? k : cast(k, dtype)));
  if (first) x = channelsToLast(x);
  return { x, kernels: ks, n, strides, dilation, padding, first };
}

const finish = (y: AnyTensor, first: boolean): AnyTensor => (first ? channelsToFirst(y) : y);

/**
 * N-d convolution (1-d, 2-d or 3-d from the rank of `inputs`), as keras.ops.conv. `kernel` has shape
 * [...kernelSpatial, inChannels / groups, outChannels]; groups = inChannels / kernel's in-channels.
 */
export function conv<A extends TensorInput, K extends TensorInput>(
  inputs: A,
  kernel: K,
  options: ConvOptions = {},
): Out<A | K> {
  const op = "ops.conv";
  const a = prepare(op, inputs, [kernel], options);
  const y = apply1(CONV, [a.x, a.kernels[0]], {
    strides: a.strides,
    dilation: a.dilation,
    padding: a.padding,
    opName: op,
  });
  return finish(y, a.first) as Out<A | K>;
}

/**
 * activation(conv(inputs, kernel, options) + bias) as one op, the Conv layers' call: `bias` one
 * value per output channel (or null), `activation` "relu", "relu6" or null (none).
 */
export function convBiasActivation<A extends TensorInput, K extends TensorInput>(
  inputs: A,
  kernel: K,
  bias: TensorInput | null,
  activation: FusedActivation,
  options: ConvOptions = {},
): Out<A | K> {
  const op = "ops.conv";
  const a = prepare(op, inputs, [kernel], options);
  const ins = [a.x, a.kernels[0]];
  if (bias !== null) {
    let b = toAny(bias);
    checkFloat(op, b, "bias");
    if (b.dtype !== a.x.dtype) b = cast(b, a.x.dtype);
    ins.push(b);
  }
  const attrs: FusedAttrs = { strides: a.strides, dilation: a.dilation, padding: a.padding, opName: op, activation };
  return finish(apply1(CONV_BIAS_ACTIVATION, ins, attrs), a.first) as Out<A | K>;
}

/** Checks a depthwise kernel [...spatial, inChannels, multiplier] against channels-last `x`. */
function checkDepthwiseKernel(op: string, x: Spec, w: Spec, n: number): void {
  const got = `received inputs shape ${shapeToString(x.shape)} and kernel shape ${shapeToString(w.shape)}`;
  if (w.shape.length !== n + 2) {
    throw new Error(
      `${op}: the depthwise kernel must have rank ${n + 2} ([...${n} kernel sizes, input channels, channel multiplier]), ${got}.`,
    );
  }
  const C = x.shape[n + 1];
  if (C !== null && w.shape[n] !== null && w.shape[n] !== C) {
    throw new Error(
      `${op}: the input channels (${C}) must equal the depthwise kernel's input channels (${w.shape[n]}), ${got}.`,
    );
  }
}

function depthwise(op: string, a: Prepared, w: AnyTensor): AnyTensor {
  checkDepthwiseKernel(op, a.x, w, a.n);
  const ws = w.shape as number[];
  // Depthwise = grouped convolution with one input channel per group: [..., C, M] -> [..., 1, C*M].
  const flat = reshape(w, [...ws.slice(0, a.n), 1, ws[a.n] * ws[a.n + 1]]);
  return apply1(CONV, [a.x, flat], { strides: a.strides, dilation: a.dilation, padding: a.padding, opName: op });
}

/** Depthwise convolution, as keras.ops.depthwise_conv: kernel [...spatial, inChannels, multiplier]. */
export function depthwiseConv<A extends TensorInput, K extends TensorInput>(
  inputs: A,
  kernel: K,
  options: ConvOptions = {},
): Out<A | K> {
  const op = "ops.depthwiseConv";
  const a = prepare(op, inputs, [kernel], options);
  return finish(depthwise(op, a, a.kernels[0]), a.first) as Out<A | K>;
}

/**
 * Separable convolution, as keras.ops.separable_conv: a depthwise convolution, then a pointwise
 * convolution with `pointwiseKernel` [...1s, inChannels * multiplier, outChannels].
 */
export function separableConv<A extends TensorInput, K extends TensorInput, P extends TensorInput>(
  inputs: A,
  depthwiseKernel: K,
  pointwiseKernel: P,
  options: ConvOptions = {},
): Out<A | K | P> {
  const op = "ops.separableConv";
  const a = prepare(op, inputs, [depthwiseKernel, pointwiseKernel], options);
  const d = depthwise(op, a, a.kernels[0]);
  const ones = new Array<number>(a.n).fill(1);
  const y = apply1(CONV, [d, a.kernels[1]], { strides: ones, dilation: a.dilation, padding: "valid", opName: op });
  return finish(y, a.first) as Out<A | K | P>;
}

/**
 * Transposed convolution, as keras.ops.conv_transpose: kernel [...spatial, outChannels, inChannels];
 * output sizes follow Keras (valid: (n-1)*s + max(k, s); same: n*s; with outputPadding as Keras).
 */
export function convTranspose<A extends TensorInput, K extends TensorInput>(
  inputs: A,
  kernel: K,
  options: ConvTransposeOptions = {},
): Out<A | K> {
  const op = "ops.convTranspose";
  const a = prepare(op, inputs, [kernel], options);
  const outputPadding =
    options.outputPadding === undefined || options.outputPadding === null
      ? null
      : spatialTuple(op, "outputPadding", options.outputPadding, a.n, 0);
  const attrs: ConvTransposeAttrs = { strides: a.strides, dilation: a.dilation, padding: a.padding, outputPadding };
  return finish(apply1(CONV_TRANSPOSE, [a.x, a.kernels[0]], attrs), a.first) as Out<A | K>;
}
