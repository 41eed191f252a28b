import { expandDims, repeat } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** Repeats a [batch, features] input n times: [batch, n, features] (Keras's RepeatVector). */
export class RepeatVector extends Layer {
  readonly n: number;

  constructor(n: number, args: LayerArgs = {}) {
    super(args);
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`${this.describe()}: expected an integer value for \`n\`, received ${String(n)}.`);
    }
    if (n <= 0) throw new Error(`${this.describe()}: argument \`n\` should be a positive integer, received n=${n}.`);
    this.n = n;
    this.inputSpec = new InputSpec({ ndim: 2 });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return repeat(expandDims(inputs as AnyTensor, 1), this.n, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}
