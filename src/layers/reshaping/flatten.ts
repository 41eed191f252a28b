import type { DType } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import { reshape, transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

export interface FlattenArgs extends LayerArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
}

/** The data formats as Keras names them, from either spelling. */
export function standardizeDataFormat(value: string | undefined, who: string): "channels_last" | "channels_first" {
  const v = (value ?? "channels_last").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  if (v !== "channels_last" && v !== "channels_first") {
    throw new Error(`${who}: dataFormat must be "channelsLast" or "channelsFirst", received ${String(value)}.`);
  }
  return v;
}

/**
 * Flattens every axis but the batch axis (Keras's Flatten): [batch, d1, d2, ...] -> [batch, d1*d2*...];
 * a rank-1 input [batch] becomes [batch, 1].
 */
export class Flatten extends Layer {
  readonly dataFormat: "channels_last" | "channels_first";

  constructor(args: FlattenArgs = {}) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.inputSpec = new InputSpec({ minNdim: 1 });
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    const rank = x.shape.length;
    if (this.dataFormat === "channels_first" && rank > 1) {
      x = transpose(x, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
    }
    const [batch, ...rest] = x.shape;
    const flat = rest.includes(null) ? -1 : (rest as number[]).reduce((a, b) => a * b, 1);
    // Concrete batch sizes are known; -1 for the batch only when the flat size is known.
    return reshape(x, [batch ?? -1, flat]);
  }

  /** Given by hand as in Keras: unknown non-batch sizes give an unknown flat size, which reshape cannot express. */
  override computeOutputShape(inputShape: Nested<SpecShape>): SpecShape {
    const [batch, ...rest] = inputShape as SpecShape;
    const flat = rest.includes(null) ? null : (rest as number[]).reduce((a, b) => a * b, 1);
    return [batch ?? null, flat];
  }

  protected override computeDtype(inputs: Nested<AnyTensor>): DType {
    return (inputs as AnyTensor).dtype;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}
