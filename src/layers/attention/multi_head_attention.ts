import type { DType } from "../../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { abs, less, logicalAnd, multiply, subtract } from "../../ops/elementwise.js";
import { arange } from "../../ops/creation.js";
import { einsum } from "../../ops/linalg.js";
import { expandDims, reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { Softmax } from "../activations/softmax.js";
import { serializeOrNull } from "../convolutional/base_conv.js";
import { EinsumDense } from "../core/einsum_dense.js";
import { type CallOptions, Layer, type LayerArgs, type LayerInput } from "../layer.js";
import { Dropout } from "../regularization/dropout.js";
import { boolMask, causalMask } from "./attention.js";

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Size of each head for value (default keyDim). */
  valueDim?: number | null;
  /** Dropout rate of the attention probabilities (default 0). */
  dropout?: number;
  useBias?: boolean;
  /** The output's trailing shape (default the query's last dimension). */
  outputShape?: number | number[] | null;
  /** Axes attention runs over (default all axes between batch and features). */
  attentionAxes?: number | number[] | null;
  /** Each query position attends only to keys within this distance. */
  slidingWindow?: number | null;
  /** Gate the attention output with sigmoid(query projection) before the output projection. */
  useGate?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  kernelConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
  seed?: number | null;
}

/** Call options: the tensors besides the query, and the flags of Keras's call. */
export interface MultiHeadAttentionCallOptions extends CallOptions {
  value?: LayerInput;
  key?: LayerInput;
  /** Boolean [batch, T, S] (or broadcastable): true where query position t may attend to key s. */
  attentionMask?: LayerInput | null;
  returnAttentionScores?: boolean;
  useCausalMask?: boolean;
}

type MhaInputs = { query: AnyTensor; value: AnyTensor; key?: AnyTensor; attentionMask?: AnyTensor };

const isTensorLike = (x: unknown): boolean =>
  x instanceof Tensor || x instanceof SymbolicTensor || x instanceof Variable;

/**
 * Multi-head attention (Keras's MultiHeadAttention, "Attention is all you need"): query, key and
 * value are projected per head by EinsumDense layers named "query", "key", "value" (kernels
 * [dim, numHeads, keyDim|valueDim], biases [numHeads, keyDim|valueDim]), scores are
 * softmax(q·kᵀ / sqrt(keyDim)) over the attention axes with the combined mask, and the heads are
 * merged by "attention_output" (kernel [numHeads, valueDim, outDim]).
 *
 * Call as `mha(query, { value, key, attentionMask, useCausalMask, returnAttentionScores })`, or
 * `mha([query, value])` / `mha([query, value, key])` (options then carry attentionMask and flags).
 * The query's mask and the value's (and key's) masks join the attention mask as in Keras; the
 * output keeps the query's mask.
 */
export class MultiHeadAttention extends Layer {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly useGate: boolean;
  readonly outputShape: number[] | null;
  attentionAxes: number[] | null;
  readonly slidingWindow: number | null;
  readonly seed: number | null;
  readonly kernelInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  /** Applied to each projection's output, as Keras passes it to the sublayers. */
  readonly sublayerActivityRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  // Declared in Keras's weight order: query, key, gate, value, attention_output.
  queryDense!: EinsumDense;
  keyDense!: EinsumDense;
  gateDense: EinsumDense | null = null;
  valueDense!: EinsumDense;
  outputDense!: EinsumDense;
  softmax!: Softmax;
  dropoutLayer!: Dropout;
  private dotProductEquation = "";
  private combineEquation = "";
  private returnScores = false;

  constructor(numHeads: number, keyDim: number, args: MultiHeadAttentionArgs = {}) {
    const { activityRegularizer, ...rest } = args;
    super(rest);
    const positive = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;
    if (!positive(numHeads)) {
      throw new Error(
        `${this.describe()}: numHeads must be a positive integer, received numHeads=${String(numHeads)}.`,
      );
    }
    if (!positive(keyDim)) {
      throw new Error(`${this.describe()}: keyDim must be a positive integer, received keyDim=${String(keyDim)}.`);
    }
    if (args.valueDim !== undefined && args.valueDim !== null && !positive(args.valueDim)) {
      throw new Error(
        `${this.describe()}: valueDim must be a positive integer or null, received valueDim=${String(args.valueDim)}.`,
      );
    }
    this.numHeads = numHeads;
    this.keyDim = keyDim;
    this.valueDim = args.valueDim || keyDim;
    this.dropout = args.dropout ?? 0;
    if (typeof this.dropout !== "number" || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new Error(`${this.describe()}: dropout must be a number in [0, 1], received ${String(this.dropout)}.`);
    }
    this.useBias = args.useBias ?? true;
    this.useGate = args.useGate ?? false;
    const os = args.outputShape;
    if (os === undefined || os === null) this.outputShape = null;
    else if (typeof os === "number") this.outputShape = [os];
    else if (Array.isArray(os)) this.outputShape = os.slice();
    else {
      throw new Error(
        `${this.describe()}: invalid outputShape ${JSON.stringify(os)}; when specified, it must be a list of integers or an integer.`,
      );
    }
    const axes = args.attentionAxes;
    if (axes === undefined || axes === null) this.attentionAxes = null;
    else if (typeof axes === "number") this.attentionAxes = [axes];
    else if (Array.isArray(axes)) this.attentionAxes = axes.slice();
    else {
      throw new Error(
        `${this.describe()}: attentionAxes must be an integer or a list of integers, received ${JSON.stringify(axes)}.`,
      );
    }
    const sw = args.slidingWindow ?? null;
    if (sw !== null && !positive(sw)) {
      throw new Error(`${this.describe()}: slidingWindow must be null or a positive integer, received ${String(sw)}.`);
    }
    this.slidingWindow = sw;
    this.seed = args.seed ?? null;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(args.biasRegularizer ?? null);
    this.sublayerActivityRegularizer = regularizers.get(activityRegularizer ?? null);
    this.kernelConstraint = constraints.get(args.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(args.biasConstraint ?? null);
    this.supportsMasking = true;
  }

  /** Puts query, value, key and attentionMask in one structure, so that graphs track them all. */
  override apply(inputs: LayerInput, options: MultiHeadAttentionCallOptions = {}): Nested<AnyTensor> {
    const { value, key, attentionMask, ...rest } = options;
    let struct: Record<string, unknown>;
    if (Array.isArray(inputs)) {
      if (inputs.length < 2 || inputs.length > 3 || value !== undefined || key !== undefined) {
        throw new Error(
          `${this.describe()}: call it as mha(query, { value, key? }) or mha([query, value]) / mha([query, value, key]); received a list of ${inputs.length} inputs${value !== undefined ? " and a value option" : ""}.`,
        );
      }
      struct = { query: inputs[0], value: inputs[1] };
      if (inputs[2] !== undefined) struct.key = inputs[2];
    } else if (!isTensorLike(inputs) && typeof inputs === "object" && inputs !== null && "query" in inputs) {
      struct = { ...(inputs as Record<string, unknown>) };
    } else {
      struct = { query: inputs, value };
      if (key !== undefined && key !== null) struct.key = key;
    }
    if (struct.value === undefined || struct.value === null) {
      throw new Error(
        `${this.describe()}: the value tensor is missing: call mha(query, { value }) or mha([query, value]) (self-attention: mha(x, { value: x })).`,
      );
    }
    if (attentionMask !== undefined && attentionMask !== null) struct.attentionMask = attentionMask;
    this.returnScores = rest.returnAttentionScores === true;
    return super.apply(struct as LayerInput, rest);
  }

  private commonArgs() {
    return {
      kernelRegularizer: this.kernelRegularizer,
      biasRegularizer: this.biasRegularizer,
      activityRegularizer: this.sublayerActivityRegularizer,
      kernelConstraint: this.kernelConstraint,
      biasConstraint: this.biasConstraint,
      dtype: this.dtype,
      // Fresh copies, as Keras clones the initializers for each sublayer.
      kernelInitializer: this.kernelInitializer.clone(),
      biasInitializer: this.biasInitializer.clone(),
    };
  }

  private checkValueKey(value: SpecShape, key: SpecShape): void {
    const a = value.slice(1, -1);
    const b = key.slice(1, -1);
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      throw new Error(
        `${this.describe()}: all dimensions of value and key, except the last one, must be equal; received value shape ${shapeToString(value)} and key shape ${shapeToString(key)}.`,
      );
    }
  }

  private projection(name: string, inputRank: number, heads: number, size: number, activation?: string): EinsumDense {
    const [equation, biasAxes, outputRank] = buildProjEquation(inputRank - 1, 1, 2);
    return new EinsumDense(equation, outputShapeOf(outputRank - 1, [heads, size]), {
      biasAxes: this.useBias ? biasAxes : null,
      name,
      activation,
      ...this.commonArgs(),
    });
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shapes = inputShape as { query: SpecShape; value: SpecShape; key?: SpecShape };
    const queryShape = shapes.query;
    const valueShape = shapes.value;
    const keyShape = shapes.key ?? valueShape;
    this.checkValueKey(valueShape, keyShape);
    const buildSub = (layer: EinsumDense, shape: SpecShape) => {
      layer.build(shape);
      layer.built = true;
      return layer;
    };
    this.queryDense = buildSub(this.projection("query", queryShape.length, this.numHeads, this.keyDim), queryShape);
    this.keyDense = buildSub(this.projection("key", keyShape.length, this.numHeads, this.keyDim), keyShape);
    if (this.useGate) {
      const gate = this.projection("gate", queryShape.length, this.numHeads, this.valueDim, "sigmoid");
      this.gateDense = buildSub(gate, queryShape);
    }
    this.valueDense = buildSub(this.projection("value", valueShape.length, this.numHeads, this.valueDim), valueShape);
    this.buildAttention(valueShape.length + 1);
    const outShape = this.outputShape ?? [queryShape[queryShape.length - 1] as number];
    const [equation, biasAxes, outputRank] = buildProjEquation(queryShape.length - 1, 2, outShape.length);
    this.outputDense = new EinsumDense(equation, outputShapeOf(outputRank - 1, outShape), {
      biasAxes: this.useBias ? biasAxes : null,
      name: "attention_output",
      ...this.commonArgs(),
    });
    const denseIn = (this.queryDense.computeOutputShape(queryShape) as SpecShape).slice();
    denseIn[denseIn.length - 1] = this.valueDim;
    buildSub(this.outputDense, denseIn);
  }

  private buildAttention(rank: number): void {
    this.attentionAxes =
      this.attentionAxes === null
        ? Array.from({ length: rank - 3 }, (_, i) => i + 1)
        : this.attentionAxes.map((a) => (a >= 0 ? a : rank - 1 + a));
    const [dot, combine, scoresRank] = buildAttentionEquation(rank, this.attentionAxes);
    this.dotProductEquation = dot;
    this.combineEquation = combine;
    const n = this.attentionAxes.length;
    const normAxes = Array.from({ length: n }, (_, i) => scoresRank - n + i);
    this.softmax = new Softmax({ axis: normAxes, dtype: this.dtype });
    this.dropoutLayer = new Dropout(this.dropout, { dtype: this.dtype, seed: this.seed });
  }

  override call(inputs: Nested<AnyTensor>, options: MultiHeadAttentionCallOptions): Nested<AnyTensor> {
    const { query, value, key: keyIn, attentionMask } = inputs as MhaInputs;
    const key = keyIn ?? value;
    const masks = (options.mask ?? null) as Record<string, AnyTensor | null> | null;
    const mask = this.computeAttentionMask(query, value, {
      queryMask: masks?.query ?? null,
      valueMask: masks?.value ?? null,
      keyMask: keyIn ? (masks?.key ?? null) : null,
      attentionMask: attentionMask ?? null,
      useCausalMask: options.useCausalMask === true,
    });
    const gate = this.gateDense ? (this.gateDense(query) as AnyTensor) : null;
    const q = this.queryDense(query) as AnyTensor;
    const k = this.keyDense(key) as AnyTensor;
    const v = this.valueDense(value) as AnyTensor;
    const [attended, scores] = this.computeAttention(q, k, v, mask, options.training === true);
    const out = this.outputDense(gate ? multiply(attended, gate) : attended) as AnyTensor;
    return options.returnAttentionScores ? [out, scores] : out;
  }

  /** Keras's _compute_attention: scaled dot products, masked softmax, dropout, weighted values. */
  protected computeAttention(
    query: AnyTensor,
    key: AnyTensor,
    value: AnyTensor,
    attentionMask: AnyTensor | null,
    training: boolean,
  ): [AnyTensor, AnyTensor] {
    const scaled = multiply(query, 1 / Math.sqrt(this.keyDim));
    let scores: AnyTensor = einsum(this.dotProductEquation, key, scaled);
    let mask = attentionMask;
    if (mask) {
      // Expand from the heads axis: (<batch dims>, heads, <query axes>, <key axes>).
      const axis = -(this.attentionAxes as number[]).length * 2 - 1;
      while (mask.shape.length < scores.shape.length) mask = expandDims(mask, axis);
    }
    scores = this.softmax(scores, { mask }) as AnyTensor;
    const dropped = this.dropout > 0 ? (this.dropoutLayer(scores, { training }) as AnyTensor) : scores;
    return [einsum(this.combineEquation, dropped, value), scores];
  }

  /** Keras's _compute_attention_mask: attention mask & query mask & value/key masks & causal & window. */
  protected computeAttentionMask(
    query: AnyTensor,
    value: AnyTensor,
    m: {
      queryMask: AnyTensor | null;
      valueMask: AnyTensor | null;
      keyMask: AnyTensor | null;
      attentionMask: AnyTensor | null;
      useCausalMask: boolean;
    },
  ): AnyTensor | null {
    let auto: AnyTensor | null = null;
    const and = (a: AnyTensor | null, b: AnyTensor) => (a ? logicalAnd(a, b) : b);
    if (m.queryMask) auto = expandDims(boolMask(m.queryMask), -1);
    if (m.valueMask) auto = and(auto, expandDims(boolMask(m.valueMask), -2));
    if (m.keyMask) auto = and(auto, expandDims(boolMask(m.keyMask), -2));
    const t = query.shape[1] as number;
    const s = value.shape[1] as number;
    if (m.useCausalMask) auto = and(auto, causalMask(t, s));
    if (this.slidingWindow !== null) {
      const rows = reshape(arange(t, undefined, 1, "int32"), [1, t, 1]);
      const cols = reshape(arange(s, undefined, 1, "int32"), [1, 1, s]);
      auto = and(auto, less(abs(subtract(rows, cols)), this.slidingWindow));
    }
    const explicit = m.attentionMask ? boolMask(m.attentionMask) : null;
    if (auto) return explicit ? logicalAnd(explicit, auto) : auto;
    return explicit;
  }

  override computeMask(
    _inputs: Nested<AnyTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<AnyTensor | null> | null {
    const m = mask as Record<string, AnyTensor | null> | null;
    const queryMask = m && !Array.isArray(m) ? (m.query ?? null) : null;
    return this.returnScores ? [queryMask, null] : queryMask;
  }

  /** Output shapes without running the attention (Keras's compute_output_spec, with exact score shapes). */
  override computeOutputSpec(
    inputs: Nested<AnyTensor>,
    options: MultiHeadAttentionCallOptions = {},
  ): Nested<SymbolicTensor> {
    const { query, value, key } = inputs as MhaInputs;
    const keyShape = (key ?? value).shape;
    this.checkValueKey(value.shape, keyShape);
    const dtype: DType = query.dtype === "float64" ? "float64" : this.dtype;
    const outShape = this.outputShape ?? [query.shape[query.shape.length - 1]];
    const out = new SymbolicTensor([...query.shape.slice(0, -1), ...outShape], dtype);
    if (!options.returnAttentionScores) return out;
    // Scores: (<batch dims>, heads, <query attention axes>, <key attention axes>).
    const axes = this.attentionAxes as number[];
    const q = [...query.shape.slice(0, -1), this.numHeads, this.keyDim];
    const k = [...keyShape.slice(0, -1), this.numHeads, this.keyDim];
    const batchDims = q.map((_, i) => i).filter((i) => !axes.includes(i) && i !== q.length - 1);
    const scores = [...batchDims.map((i) => q[i]), ...axes.map((a) => q[a]), ...axes.map((a) => k[a])];
    return [out, new SymbolicTensor(scores, dtype)];
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): MultiHeadAttention {
    const { numHeads, keyDim, ...rest } = config;
    return new MultiHeadAttention(numHeads as number, keyDim as number, rest);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      useGate: this.useGate,
      outputShape: this.outputShape ? this.outputShape.slice() : null,
      attentionAxes: this.attentionAxes ? this.attentionAxes.slice() : null,
      slidingWindow: this.slidingWindow,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: serializeOrNull(this.kernelRegularizer, regularizers.serialize),
      biasRegularizer: serializeOrNull(this.biasRegularizer, regularizers.serialize),
      activityRegularizer: serializeOrNull(this.sublayerActivityRegularizer, regularizers.serialize),
      kernelConstraint: serializeOrNull(this.kernelConstraint, constraints.serialize),
      biasConstraint: serializeOrNull(this.biasConstraint, constraints.serialize),
      seed: this.seed,
    };
  }
}

const letter = (i: number): string => "abcdefghijklmnopqrstuvwxyz"[i];

/** Keras's _build_proj_equation: [equation, bias axes, output rank]. */
export function buildProjEquation(freeDims: number, boundDims: number, outputDims: number): [string, string, number] {
  let input = "";
  let kernel = "";
  let output = "";
  let bias = "";
  for (let i = 0; i < freeDims; i++) {
    input += letter(i);
    output += letter(i);
  }
  for (let i = 0; i < boundDims; i++) {
    const c = letter(freeDims + i);
    input += c;
    kernel += c;
  }
  for (let i = 0; i < outputDims; i++) {
    const c = letter(freeDims + boundDims + i);
    kernel += c;
    output += c;
    bias += c;
  }
  return [`${input},${kernel}->${output}`, bias, output.length];
}

/** Keras's _get_output_shape: nulls, then the known trailing sizes. */
function outputShapeOf(outputRank: number, known: readonly number[]): (number | null)[] {
  return [...new Array<null>(outputRank - known.length).fill(null), ...known];
}

/** Keras's _build_attention_equation: [dot-product equation, combine equation, scores rank]. */
export function buildAttentionEquation(rank: number, attnAxes: readonly number[]): [string, string, number] {
  let target = "";
  for (let i = 0; i < rank; i++) target += letter(i);
  const batchDims = Array.from({ length: rank }, (_, i) => i).filter((i) => !attnAxes.includes(i) && i !== rank - 1);
  let offset = rank;
  let source = "";
  for (let i = 0; i < rank; i++) {
    if (batchDims.includes(i) || i === rank - 1) source += target[i];
    else source += letter(offset++);
  }
  const product = [
    ...batchDims.map((i) => target[i]),
    ...attnAxes.map((i) => target[i]),
    ...attnAxes.map((i) => source[i]),
  ].join("");
  return [`${source},${target}->${product}`, `${product},${source}->${target}`, product.length];
}
