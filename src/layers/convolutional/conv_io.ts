/** What every convolution layer does the same way at its ends: check its input at build, add its bias in call. */
import type { Variable } from "../../backend/variable.js";
import { add } from "../../ops/elementwise.js";
import { reshape } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { InputSpec } from "../input_spec.js";
import { biasShape, type DataFormat, inputChannels } from "./conv_args.js";

/**
 * A convolution layer's input checked at build: rank `rank + 2` and a known channel axis. Returns
 * the channels and the InputSpec that pins them.
 */
export function convInput(
  shape: readonly (number | null)[],
  rank: number,
  dataFormat: DataFormat,
  who: string,
): { channels: number; inputSpec: InputSpec } {
  if (shape.length !== rank + 2) {
    throw new Error(
      `${who}: expected inputs of rank ${rank + 2} ([batch, ...${rank} spatial axes, channels]), received shape [${shape.map((d) => d ?? "null")}].`,
    );
  }
  const { axis, channels } = inputChannels(shape, dataFormat, who);
  return { channels, inputSpec: new InputSpec({ ndim: rank + 2, axes: { [axis]: channels } }) };
}

/** `y + bias`, the bias [channels] broadcast along the channel axis. */
export function addBias(y: AnyTensor, bias: Variable, rank: number, dataFormat: DataFormat): AnyTensor {
  return add(y, reshape(bias.value, biasShape(bias.shape[0], rank, dataFormat)));
}
