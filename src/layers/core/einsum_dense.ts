import * as activations from "../../activations/index.js";
import type { DType } from "../../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { add } from "../../ops/elementwise.js";
import { einsum } from "../../ops/linalg.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { serializeOrNull } from "../convolutional/base_conv.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface EinsumDenseArgs extends LayerArgs {
  activation?: activations.ActivationIdentifier;
  /** Output letters that get a bias (e.g. "de"); none when omitted. */
  biasAxes?: string | null;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  kernelConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
}

/** What an equation implies for given input and partial output shapes (Keras's _analyze_einsum_string). */
export interface EinsumAnalysis {
  kernelShape: number[];
  biasShape: number[] | null;
  outputShape: SpecShape;
  /** Kernel axes that are contracted with the input (its fan-in axes). */
  inputAxes: number[];
  /** Kernel axes that appear in the output (its fan-out axes). */
  outputAxes: number[];
}

/**
 * A dense layer whose kernel contraction is an einsum equation (Keras's EinsumDense): `equation`
 * "input,kernel->output" (e.g. "abc,cde->abde"; "..." on the left of input and output allowed),
 * `outputShape` the output's shape without the batch axis (null for axes known from the input),
 * `biasAxes` the output letters the bias spans. Weights: kernel, then bias (if any).
 */
export class EinsumDense extends Layer {
  readonly equation: string;
  readonly partialOutputShape: (number | null)[];
  readonly biasAxes: string | null;
  readonly activation: activations.Activation;
  readonly kernelInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(equation: string, outputShape: number | readonly (number | null)[], args: EinsumDenseArgs = {}) {
    super(args);
    if (typeof equation !== "string") {
      throw new Error(`${this.describe()}: equation must be a string, received ${typeof equation}.`);
    }
    this.equation = equation;
    const partial =
      typeof outputShape === "number" ? [outputShape] : Array.isArray(outputShape) ? outputShape.slice() : null;
    if (!partial || partial.some((d) => d !== null && !(Number.isInteger(d) && d >= 0))) {
      throw new Error(
        `${this.describe()}: outputShape must be an integer or a list of integers or nulls (the output shape without the batch axis), received ${JSON.stringify(outputShape)}.`,
      );
    }
    this.partialOutputShape = partial;
    this.biasAxes = args.biasAxes ?? null;
    this.activation = activations.get(args.activation ?? null);
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(args.biasRegularizer ?? null);
    this.kernelConstraint = constraints.get(args.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(args.biasConstraint ?? null);
    // Fails early on malformed equations (the shapes are checked at build).
    parseEquation(this.equation, this.describe());
  }

  /** Shapes implied by the equation for `inputShape` (checks them, naming the layer). */
  analyze(inputShape: SpecShape): EinsumAnalysis {
    return analyzeEinsum(this.equation, this.biasAxes, inputShape, this.partialOutputShape, this.describe());
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const { kernelShape, biasShape, inputAxes, outputAxes } = this.analyze(shape);
    this.inputSpec = new InputSpec({ ndim: shape.length });
    this.kernel = this.addWeight({
      name: "kernel",
      shape: kernelShape,
      initializer: fanAwareInitializer(this.kernelInitializer, kernelShape, inputAxes, outputAxes),
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (biasShape) {
      this.bias = this.addWeight({
        name: "bias",
        shape: biasShape,
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    return this.analyze(inputShape as SpecShape).outputShape;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let y: AnyTensor = einsum(this.equation, inputs as AnyTensor, this.kernel);
    if (this.bias) y = add(y, this.bias);
    return this.activation(y);
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): EinsumDense {
    const { equation, outputShape, ...rest } = config;
    return new EinsumDense(equation as string, outputShape as number[], rest);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      outputShape: this.partialOutputShape.slice(),
      equation: this.equation,
      activation: activations.serialize(this.activation),
      biasAxes: this.biasAxes,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: serializeOrNull(this.kernelRegularizer, regularizers.serialize),
      biasRegularizer: serializeOrNull(this.biasRegularizer, regularizers.serialize),
      activityRegularizer: serializeOrNull(this.activityRegularizer, regularizers.serialize),
      kernelConstraint: serializeOrNull(this.kernelConstraint, constraints.serialize),
      biasConstraint: serializeOrNull(this.biasConstraint, constraints.serialize),
    };
  }
}

/**
 * Keras gives VarianceScaling initializers of EinsumDense kernels the kernel's input and output axes,
 * so that fan-in is the product of the contracted axes and fan-out of the output axes. The same
 * distribution comes from drawing a [fanIn, fanOut] matrix and reshaping it (entries are i.i.d.).
 */
function fanAwareInitializer(
  init: initializers.Initializer,
  shape: number[],
  inputAxes: number[],
  outputAxes: number[],
): initializers.InitializerIdentifier {
  if (!(init instanceof initializers.VarianceScaling)) return init;
  const fanIn = inputAxes.reduce((n, a) => n * shape[a], 1);
  const fanOut = outputAxes.reduce((n, a) => n * shape[a], 1);
  return (s: number[], dtype: DType) => reshape(init.call([fanIn, fanOut], dtype), s) as Tensor;
}

interface ParsedEquation {
  input: string;
  kernel: string;
  output: string;
  leftElided: boolean;
}

/** Splits "input,kernel->output" as Keras accepts it: no ellipsis, "...x,y->...z" or "xy...,z->w...". */
function parseEquation(equation: string, who: string): ParsedEquation {
  const s = equation.replace(/\.\.\./g, "0");
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(s);
  if (m) return { input: m[1], kernel: m[2], output: m[3], leftElided: false };
  m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$/.exec(s);
  if (m) return { input: m[1], kernel: m[2], output: m[3], leftElided: true };
  m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$/.exec(s);
  if (m) return { input: m[1], kernel: m[2], output: m[3], leftElided: false };
  throw new Error(
    `${who}: invalid einsum equation '${equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....`,
  );
}

/** Keras's _analyze_split_string: kernel, bias and output shapes and the kernel's fan axes. */
export function analyzeEinsum(
  equation: string,
  biasAxes: string | null,
  inputShape: SpecShape,
  partialOutputShape: readonly (number | null)[],
  who: string,
): EinsumAnalysis {
  const { input, kernel, output, leftElided } = parseEquation(equation, who);
  const elided = inputShape.length - input.length;
  if (elided < 0 || (elided > 0 && !equation.includes("..."))) {
    throw new Error(
      `${who}: the equation '${equation}' expects inputs of rank ${input.length}, received input shape ${shapeToString(inputShape)}.`,
    );
  }
  const outputShape: SpecShape = [inputShape[0], ...partialOutputShape];
  if (elided > 0 && leftElided) {
    for (let i = 1; i < elided; i++) outputShape.splice(1, 0, inputShape[i]);
  } else if (elided > 0) {
    for (let i = inputShape.length - elided; i < inputShape.length; i++) outputShape.push(inputShape[i]);
  }
  const inputDim = new Map<string, number>();
  const outputDim = new Map<string, number>();
  for (const [i, c] of [...input].entries()) inputDim.set(c, leftElided ? i + elided : i);
  for (const [i, c] of [...output].entries()) outputDim.set(c, leftElided ? i + elided : i);
  if (outputShape.length !== (leftElided ? elided : 0) + output.length + (leftElided ? 0 : elided)) {
    throw new Error(
      `${who}: outputShape ${JSON.stringify(partialOutputShape)} (without the batch axis) does not match the output '${output}' of the equation '${equation}'.`,
    );
  }
  for (const c of input) {
    const o = outputDim.get(c);
    if (o === undefined) continue;
    const want = outputShape[o];
    const have = inputShape[inputDim.get(c) as number];
    if (want !== null && have !== null && want !== have) {
      throw new Error(
        `${who}: input shape and output shape do not match at shared dimension '${c}': the input has ${have} and the output ${want} (input shape ${shapeToString(inputShape)}, equation '${equation}').`,
      );
    }
    // The output inherits sizes the input knows.
    if (want === null) outputShape[o] = have;
  }
  for (const c of output) {
    if (!input.includes(c) && !kernel.includes(c)) {
      throw new Error(
        `${who}: dimension '${c}' of the output '${output}' has no corresponding dimension in the input '${input}' or the kernel '${kernel}'.`,
      );
    }
  }
  const kernelShape: number[] = [];
  const inputAxes: number[] = [];
  const outputAxes: number[] = [];
  for (const [i, c] of [...kernel].entries()) {
    let d: number | null;
    if (outputDim.has(c)) {
      d = outputShape[outputDim.get(c) as number];
      outputAxes.push(i);
    } else if (inputDim.has(c)) {
      d = inputShape[inputDim.get(c) as number];
      inputAxes.push(i);
    } else {
      throw new Error(
        `${who}: kernel dimension '${c}' has no match in the input '${input}' or the output '${output}'; the kernel must be fully specified.`,
      );
    }
    if (d === null) {
      throw new Error(
        `${who}: the kernel's dimension '${c}' must be known to create the kernel, but it is null (input shape ${shapeToString(inputShape)}, outputShape ${JSON.stringify(partialOutputShape)}).`,
      );
    }
    kernelShape.push(d);
  }
  let biasShape: number[] | null = null;
  if (biasAxes !== null && biasAxes !== undefined) {
    for (const c of biasAxes) {
      if (!output.includes(c)) {
        throw new Error(`${who}: bias dimension '${c}' was requested, but is not part of the output '${output}'.`);
      }
    }
    const leftOffset = leftElided ? elided : 0;
    const first = Math.min(...[...biasAxes].map((c) => output.indexOf(c)));
    biasShape = [...output.slice(first)].map((c) => {
      if (!biasAxes.includes(c)) return 1;
      const d = outputShape[output.indexOf(c) + leftOffset];
      if (d === null) {
        throw new Error(
          `${who}: the bias dimension '${c}' must be known, received output shape ${shapeToString(outputShape)}.`,
        );
      }
      return d;
    });
    if (!leftElided) for (let i = 0; i < elided; i++) biasShape.push(1);
  }
  return { kernelShape, biasShape, outputShape, inputAxes, outputAxes };
}
