import type { SpecShape } from "../../backend/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

// biome-ignore lint/suspicious/noExplicitAny: a Lambda wraps any function of tensors.
export type LambdaFunction = (inputs: any, ...args: any[]) => Nested<AnyTensor>;

export interface LambdaArgs extends LayerArgs {
  /**
   * The output shape as Keras takes it: an array without the batch axis, or a function of the full
   * input shape (batch axis included). Inferred by tracing the function when omitted.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the input shape is one shape or a structure of them, as the inputs are.
  outputShape?: (number | null)[] | ((inputShape: any) => Nested<SpecShape>) | null;
  /** Extra keyword arguments passed to the function (Keras's `arguments`), as one object. */
  arguments?: Record<string, unknown>;
  /** The output mask, or a function `(inputs, mask) => mask`. */
  mask?: AnyTensor | ((inputs: Nested<AnyTensor>, mask: unknown) => Nested<AnyTensor | null> | null) | null;
}

/** Wraps a function of tensors as a layer (Keras's Lambda). It holds no weights of its own. */
export class Lambda extends Layer {
  readonly fn: LambdaFunction;
  readonly outputShapeArg: LambdaArgs["outputShape"];
  readonly fnArguments: Record<string, unknown>;
  readonly maskArg: LambdaArgs["mask"];

  constructor(fn: LambdaFunction, args: LambdaArgs = {}) {
    super(args);
    if (typeof fn !== "function") throw new TypeError(`${this.describe()}: the first argument must be a function.`);
    this.fn = fn;
    this.outputShapeArg = args.outputShape ?? null;
    this.fnArguments = args.arguments ?? {};
    this.maskArg = args.mask ?? null;
    this.supportsMasking = args.mask != null;
    if (this.outputShapeArg) {
      const given = this.outputShapeArg;
      this.computeOutputShape = (inputShape: Nested<SpecShape>): Nested<SpecShape> => {
        if (typeof given === "function") return given(inputShape);
        const shapes = inputShape as unknown[];
        const first = (Array.isArray(shapes[0]) ? shapes[0] : shapes) as SpecShape;
        return [first[0] ?? null, ...given];
      };
    }
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): Nested<AnyTensor> {
    return Object.keys(this.fnArguments).length ? this.fn(inputs, this.fnArguments) : this.fn(inputs);
  }

  override computeMask(
    inputs: Nested<AnyTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<AnyTensor | null> | null {
    if (typeof this.maskArg === "function") return this.maskArg(inputs, mask);
    return this.maskArg ?? null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      function: this.fn.name || "<anonymous>",
      outputShape: typeof this.outputShapeArg === "function" ? this.outputShapeArg.name : this.outputShapeArg,
      arguments: this.fnArguments,
    };
  }
}
