import * as ops from "../ops/index.js";
import type { OpNode } from "../ops/registry.js";
import type { AnyTensor } from "../ops/types.js";

/**
 * Ops applied to symbolic tensors in a functional model, as Keras 3 serializes them: each call is an
 * operation such as `keras.src.ops.numpy.Absolute` or `keras.src.ops.nn.Softmax`, its constructor
 * arguments in `config` and its call arguments in the node (measured on Keras 3.15.1).
 *
 * Saving works on keras-ts's recorded op nodes (one per primitive op: `ops.stack` records
 * expandDims and concatenate nodes, `ops.elu` the primitives of its formula), so a file holds only
 * Keras ops that Keras can run. Loading maps every Keras op class keras-ts has a public op for,
 * including Keras's composite ones (Elu, Stack, Moments, ...).
 */

type KerasModule = "numpy" | "nn" | "math" | "core";

export interface KerasOpSpec {
  module: string;
  className: string;
  config: Record<string, unknown>;
  /** The node's positional arguments from the op's inputs. */
  args(inputs: readonly AnyTensor[]): unknown[];
  /** The node's keyword arguments (Keras's call kwargs). */
  kwargs: Record<string, unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: attrs differ per op; each rule reads its own.
type Attrs = any;
interface SaveRule {
  module: KerasModule;
  className: string;
  config?: (attrs: Attrs, node: OpNode) => Record<string, unknown>;
  args?: (inputs: readonly AnyTensor[], attrs: Attrs) => unknown[];
  kwargs?: (attrs: Attrs) => Record<string, unknown>;
}

/** Keras's axis argument: an int for one axis, null for every axis of the input, else the list. */
function axisOf(axes: readonly number[] | null, node: OpNode): number | number[] | null {
  if (axes === null) return null;
  const rank = node.inputs[0].shape.length;
  if (axes.length === rank && rank > 1) return null;
  return axes.length === 1 ? axes[0] : [...axes];
}

const reduce = (className: string, extra: Record<string, unknown> = {}): SaveRule => ({
  module: "numpy",
  className,
  config: (a, n) => ({ axis: axisOf(a.axes, n), keepdims: a.keepdims, ...extra }),
});

const SAVE: Record<string, SaveRule> = {};
for (const [fn, cls] of Object.entries({
  abs: "Absolute",
  negative: "Negative",
  square: "Square",
  sqrt: "Sqrt",
  exp: "Exp",
  expm1: "Expm1",
  log: "Log",
  log1p: "Log1p",
  sin: "Sin",
  cos: "Cos",
  tan: "Tan",
  tanh: "Tanh",
  sign: "Sign",
  floor: "Floor",
  ceil: "Ceil",
  reciprocal: "Reciprocal",
  logicalNot: "LogicalNot",
  isnan: "Isnan",
  isfinite: "Isfinite",
  add: "Add",
  subtract: "Subtract",
  multiply: "Multiply",
  divide: "Divide",
  floorDivide: "FloorDivide",
  mod: "Mod",
  power: "Power",
  maximum: "Maximum",
  minimum: "Minimum",
  atan2: "Arctan2",
  equal: "Equal",
  notEqual: "NotEqual",
  less: "Less",
  lessEqual: "LessEqual",
  greater: "Greater",
  greaterEqual: "GreaterEqual",
  logicalAnd: "LogicalAnd",
  logicalOr: "LogicalOr",
  where: "Where",
  matmul: "Matmul",
})) {
  SAVE[fn] = { module: "numpy", className: cls };
}
for (const [fn, cls] of Object.entries({
  relu: "Relu",
  relu6: "Relu6",
  sigmoid: "Sigmoid",
  silu: "Silu",
  softplus: "Softplus",
})) {
  SAVE[fn] = { module: "nn", className: cls };
}
Object.assign(SAVE, {
  round: { module: "numpy", className: "Round", config: () => ({ decimals: 0 }) },
  rsqrt: { module: "math", className: "Rsqrt" },
  erf: { module: "math", className: "Erf" },
  clip: { module: "numpy", className: "Clip", config: (a) => ({ x_min: a.min, x_max: a.max }) },
  cast: { module: "core", className: "Cast", config: (a) => ({ dtype: a.dtype }) },
  stopGradient: { module: "core", className: "StopGradient" },
  sum: reduce("Sum"),
  mean: reduce("Mean"),
  max: reduce("Max", { initial: null }),
  min: reduce("Min", { initial: null }),
  prod: reduce("Prod", { dtype: null }),
  all: reduce("All"),
  any: reduce("Any"),
  var: reduce("Var"),
  std: reduce("Std"),
  logsumexp: { ...reduce("Logsumexp"), module: "math" },
  argmax: { module: "numpy", className: "Argmax", config: (a) => ({ axis: a.axis, keepdims: a.keepdims }) },
  argmin: { module: "numpy", className: "Argmin", config: (a) => ({ axis: a.axis, keepdims: a.keepdims }) },
  cumsum: { module: "numpy", className: "Cumsum", config: (a) => ({ axis: a.axis, dtype: null }) },
  cumprod: { module: "numpy", className: "Cumprod", config: (a) => ({ axis: a.axis, dtype: null }) },
  expandDims: { module: "numpy", className: "ExpandDims", config: (a, n) => ({ axis: listOrOne(a.axes, n) }) },
  squeeze: { module: "numpy", className: "Squeeze", config: (a, n) => ({ axis: listOrOne(a.axes, n) }) },
  unitAxis: {
    module: "numpy",
    className: "ExpandDims",
    config: (a) => ({ axis: a.axis }),
  },
  concatenate: {
    module: "numpy",
    className: "Concatenate",
    config: (a) => ({ axis: a.axis }),
    args: (xs) => [xs.slice()],
  },
  reshape: { module: "numpy", className: "Reshape", config: (a) => ({ newshape: [...a.shape] }) },
  transpose: { module: "numpy", className: "Transpose", config: (a) => ({ axes: [...a.perm] }) },
  split: {
    module: "numpy",
    className: "Split",
    config: (a) => ({ indices_or_sections: a.sections ?? a.indices, axis: a.axis }),
  },
  broadcastTo: { module: "numpy", className: "BroadcastTo", config: (a) => ({ shape: [...a.shape] }) },
  tile: { module: "numpy", className: "Tile", config: (a) => ({ repeats: [...a.repeats] }) },
  repeat: { module: "numpy", className: "Repeat", config: (a) => ({ repeats: a.repeats, axis: a.axis }) },
  flip: { module: "numpy", className: "Flip", config: (a, n) => ({ axis: axisOf(a.axes, n) }) },
  pad: {
    module: "numpy",
    className: "Pad",
    config: (a) => ({ pad_width: a.widths.map((w: number[]) => [...w]), mode: a.mode }),
    kwargs: (a) => ({ constant_values: a.mode === "constant" && a.value !== 0 ? a.value : null }),
  },
  slice: {
    module: "core",
    className: "Slice",
    config: (a) => ({ shape: [...a.size] }),
    args: (xs, a) => [xs[0], [...a.begin]],
  },
  take: { module: "numpy", className: "Take", config: (a) => ({ axis: a.axis }) },
  takeAlongAxis: { module: "numpy", className: "TakeAlongAxis", config: (a) => ({ axis: a.axis }) },
  oneHot: {
    module: "nn",
    className: "OneHot",
    // Keras checks the axis against the input's rank: the last output axis is written -1.
    config: (a, n) => ({
      num_classes: a.numClasses,
      axis: a.axis === n.outputs[0].shape.length - 1 ? -1 : a.axis,
      dtype: a.dtype,
      sparse: false,
    }),
  },
  einsum: {
    module: "numpy",
    className: "Einsum",
    config: (a) => ({ subscripts: `${a.subs.join(",")}->${a.out}` }),
  },
  fullLike: {
    module: "numpy",
    className: "FullLike",
    config: (a) => ({ dtype: a.dtype ?? null }),
    args: (xs, a) => [xs[0], a.value],
  },
  softmax: { module: "nn", className: "Softmax", config: (a) => ({ axis: a.axis }) },
  logSoftmax: { module: "nn", className: "LogSoftmax", config: (a) => ({ axis: a.axis }) },
  leakyRelu: { module: "nn", className: "LeakyRelu", config: (a) => ({ negative_slope: a.alpha }) },
  gelu: { module: "nn", className: "Gelu", config: () => ({ approximate: false }) },
  geluTanh: { module: "nn", className: "Gelu", config: () => ({ approximate: true }) },
  conv: {
    module: "nn",
    className: "Conv",
    config: (a) => ({
      strides: intOrList(a.strides),
      padding: a.padding,
      data_format: "channels_last",
      dilation_rate: intOrList(a.dilation),
    }),
  },
  convTranspose: {
    module: "nn",
    className: "ConvTranspose",
    config: (a) => ({
      strides: intOrList(a.strides),
      padding: a.padding,
      output_padding: a.outputPadding ? intOrList(a.outputPadding) : null,
      data_format: "channels_last",
      dilation_rate: intOrList(a.dilation),
    }),
  },
  maxPool: { module: "nn", className: "MaxPool", config: (a) => poolConfig(a) },
  averagePool: { module: "nn", className: "AveragePool", config: (a) => poolConfig(a) },
} satisfies Record<string, SaveRule>);

function listOrOne(axes: readonly number[], _node: OpNode): number | number[] {
  return axes.length === 1 ? axes[0] : [...axes];
}

/**
 * One int for equal spatial values, as Keras writes `pool_size=2`: Keras keeps lists from JSON as
 * lists, which its JAX pooling cannot take where it expects a tuple.
 */
function intOrList(v: readonly number[]): number | number[] {
  return v.every((e) => e === v[0]) ? v[0] : [...v];
}

function poolConfig(a: Attrs): Record<string, unknown> {
  return {
    pool_size: intOrList(a.poolSize),
    strides: intOrList(a.strides),
    padding: a.padding,
    data_format: "channels_last",
  };
}

/** Attribute values of internal op nodes that Keras's ops cannot express. */
function unsupportedAttrs(node: OpNode): string | null {
  const a = node.attrs as Attrs;
  if (node.op.name === "matmul" && (a.transA || a.transB)) return "a transposed operand (transA/transB)";
  if ((node.op.name === "cumsum" || node.op.name === "cumprod") && (a.reverse || a.exclusive))
    return "reverse or exclusive accumulation";
  return null;
}

/** The keras-ts op names a functional model can save (for error messages and tests). */
export function saveableOps(): string[] {
  return Object.keys(SAVE).sort();
}

/** How Keras writes this op node; throws naming the op when Keras has no form for it. */
export function kerasOpFor(node: OpNode): KerasOpSpec {
  const name = node.op.name;
  let rule = SAVE[name];
  if (name === "unitAxis" && !(node.attrs as Attrs).insert) rule = { ...rule, className: "Squeeze" };
  if (!rule) {
    throw new Error(
      `ops.${name} on symbolic tensors cannot be saved in a .keras file: Keras 3 has no operation for it (saved ops: ${saveableOps().join(", ")}). Wrap it in a layer, or a Lambda layer with a registered function.`,
    );
  }
  const bad = unsupportedAttrs(node);
  if (bad) {
    throw new Error(`ops.${name} with ${bad} cannot be saved in a .keras file: Keras 3's ops have no such argument.`);
  }
  const attrs = node.attrs as Attrs;
  return {
    module: `keras.src.ops.${rule.module}`,
    className: rule.className,
    config: rule.config ? rule.config(attrs, node) : {},
    args: (xs) => (rule.args ? rule.args(xs, attrs) : xs.slice()),
    kwargs: rule.kwargs ? rule.kwargs(attrs) : {},
  };
}

// ------------------------------------------------------------------ loading

// biome-ignore lint/suspicious/noExplicitAny: Keras's call arguments are revived JSON and tensors.
type Loader = (args: any[], c: Record<string, any>) => unknown;
// biome-ignore lint/suspicious/noExplicitAny: the public ops are called by name.
const O = ops as unknown as Record<string, (...a: any[]) => unknown>;
const nul = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

const spatial = (c: Record<string, unknown>) => ({
  strides: c.strides ?? 1,
  padding: c.padding ?? "valid",
  dataFormat: c.data_format ?? null,
  dilationRate: c.dilation_rate ?? 1,
});

const LOAD: Record<string, Loader> = {};
for (const [fn, rule] of Object.entries(SAVE)) {
  // Ops whose Keras call is `op(*inputs)` with no constructor arguments.
  if (!rule.config && !rule.args && !rule.kwargs) LOAD[rule.className] = (args) => O[fn](...args);
}
Object.assign(LOAD, {
  Round: (args, c) => {
    if (c.decimals) throw new Error(`keras-ts's ops.round has no decimals argument (received ${c.decimals}).`);
    return O.round(args[0]);
  },
  Rsqrt: (args) => O.rsqrt(args[0]),
  Erf: () => unsupported("Erf (keras-ts has no public ops.erf)"),
  Clip: (args, c) => O.clip(args[0], c.x_min ?? args[1], c.x_max ?? args[2]),
  Cast: (args, c) => O.cast(args[0], c.dtype),
  StopGradient: (args) => O.stopGradient(args[0]),
  Sum: (args, c) => O.sum(args[0], c.axis, c.keepdims),
  Mean: (args, c) => O.mean(args[0], c.axis, c.keepdims),
  Max: (args, c) => O.max(args[0], c.axis, c.keepdims),
  Min: (args, c) => O.min(args[0], c.axis, c.keepdims),
  Prod: (args, c) => O.prod(args[0], c.axis, c.keepdims),
  All: (args, c) => O.all(args[0], c.axis, c.keepdims),
  Any: (args, c) => O.any(args[0], c.axis, c.keepdims),
  Var: (args, c) => O.variance(args[0], c.axis, c.keepdims),
  Std: (args, c) => O.std(args[0], c.axis, c.keepdims),
  Logsumexp: (args, c) => O.logsumexp(args[0], c.axis, c.keepdims),
  Argmax: (args, c) => O.argmax(args[0], c.axis, c.keepdims),
  Argmin: (args, c) => O.argmin(args[0], c.axis, c.keepdims),
  Cumsum: (args, c) => O.cumsum(args[0], c.axis, nul(c.dtype)),
  Cumprod: (args, c) => O.cumprod(args[0], c.axis, nul(c.dtype)),
  ExpandDims: (args, c) => O.expandDims(args[0], c.axis),
  Squeeze: (args, c) => O.squeeze(args[0], c.axis),
  Concatenate: (args, c) => O.concatenate(args[0], c.axis ?? 0),
  Stack: (args, c) => O.stack(args[0], c.axis ?? 0),
  Reshape: (args, c) => O.reshape(args[0], c.newshape ?? c.new_shape),
  Transpose: (args, c) => O.transpose(args[0], c.axes),
  Split: (args, c) => O.split(args[0], c.indices_or_sections, c.axis ?? 0),
  BroadcastTo: (args, c) => O.broadcastTo(args[0], c.shape),
  Tile: (args, c) => O.tile(args[0], c.repeats),
  Repeat: (args, c) => O.repeat(args[0], c.repeats, c.axis),
  Flip: (args, c) => O.flip(args[0], c.axis),
  Pad: (args, c) => O.pad(args[0], c.pad_width, c.mode ?? "constant", c.constant_values ?? 0),
  Slice: (args, c) => O.slice(args[0], args[1], c.shape ?? args[2]),
  Take: (args, c) => O.take(args[0], args[1], c.axis),
  TakeAlongAxis: (args, c) => O.takeAlongAxis(args[0], args[1], c.axis),
  OneHot: (args, c) => {
    if (c.sparse) throw new Error("keras-ts has no sparse tensors (sparse: true).");
    return O.oneHot(args[0], c.num_classes, { axis: c.axis ?? -1, dtype: nul(c.dtype) });
  },
  Einsum: (args, c) => O.einsum(c.subscripts, ...args),
  Matmul: (args) => O.matmul(args[0], args[1]),
  Dot: (args) => O.dot(args[0], args[1]),
  FullLike: (args, c) => O.fullLike(args[0], args[1], nul(c.dtype)),
  ZerosLike: (args, c) => O.zerosLike(args[0], nul(c.dtype)),
  OnesLike: (args, c) => O.onesLike(args[0], nul(c.dtype)),
  Softmax: (args, c) => O.softmax(args[0], c.axis ?? -1),
  LogSoftmax: (args, c) => O.logSoftmax(args[0], c.axis ?? -1),
  LeakyRelu: (args, c) => O.leakyRelu(args[0], c.negative_slope ?? 0.2),
  Gelu: (args, c) => O.gelu(args[0], c.approximate ?? true),
  Elu: (args, c) => O.elu(args[0], c.alpha ?? 1),
  Selu: (args) => O.selu(args[0]),
  Celu: (args, c) => O.celu(args[0], c.alpha ?? 1),
  Glu: (args, c) => O.glu(args[0], c.axis ?? -1),
  HardSigmoid: (args) => O.hardSigmoid(args[0]),
  HardSilu: (args) => O.hardSilu(args[0]),
  HardTanh: (args) => O.hardTanh(args[0]),
  HardShrink: (args, c) => O.hardShrink(args[0], c.threshold ?? 0.5),
  SoftShrink: (args, c) => O.softShrink(args[0], c.threshold ?? 0.5),
  TanhShrink: (args) => O.tanhShrink(args[0]),
  Squareplus: (args, c) => O.squareplus(args[0], c.b ?? 4),
  SparsePlus: (args) => O.sparsePlus(args[0]),
  Threshold: (args, c) => O.threshold(args[0], c.threshold, c.default_value),
  Softsign: (args) => O.softsign(args[0]),
  LogSigmoid: (args) => O.logSigmoid(args[0]),
  Moments: (args, c) => O.moments(args[0], c.axes, c.keepdims ?? false),
  Conv: (args, c) => O.conv(args[0], args[1], spatial(c)),
  DepthwiseConv: (args, c) => O.depthwiseConv(args[0], args[1], spatial(c)),
  SeparableConv: (args, c) => O.separableConv(args[0], args[1], args[2], spatial(c)),
  ConvTranspose: (args, c) => O.convTranspose(args[0], args[1], { ...spatial(c), outputPadding: c.output_padding }),
  MaxPool: (args, c) => O.maxPool(args[0], c.pool_size, c.strides, c.padding ?? "valid", c.data_format),
  AveragePool: (args, c) => O.averagePool(args[0], c.pool_size, c.strides, c.padding ?? "valid", c.data_format),
} satisfies Record<string, Loader>);

function unsupported(className: string): never {
  throw new Error(`keras-ts has no op for Keras's ${className}.`);
}

/** The Keras op classes keras-ts can load. */
export function loadableKerasOps(): string[] {
  return Object.keys(LOAD).sort();
}

/** Applies the keras-ts op for a Keras op record to revived arguments. */
export function opFromKeras(
  className: string,
  module: string,
  config: Record<string, unknown>,
  args: unknown[],
  kwargs: Record<string, unknown>,
  name: string,
): unknown {
  const load = LOAD[className];
  if (!load) {
    throw new Error(
      `Operation '${name}' (${module}.${className}): keras-ts cannot load this Keras op (known: ${loadableKerasOps().join(", ")}).`,
    );
  }
  const { name: _n, ...cfg } = config;
  try {
    return load(args, { ...cfg, ...kwargs });
  } catch (e) {
    throw new Error(`Operation '${name}' (${module}.${className}): ${(e as Error).message}`, { cause: e });
  }
}
