/** The scale (gamma) and offset (beta) weights the normalization layers create the same way. */
import type { Variable } from "../../backend/variable.js";
import type { Layer } from "../layer.js";
import { weightOptions } from "../weight_options.js";

/** Creates gamma when `scale` and beta when `center`, of `shape`, with the layer's options for each. */
export function addGammaBeta(
  layer: Layer & { gamma: Variable | null; beta: Variable | null },
  shape: number[],
  scale: boolean,
  center: boolean,
): void {
  if (scale) layer.gamma = layer.addWeight({ name: "gamma", shape, ...weightOptions(layer, "gamma") });
  if (center) layer.beta = layer.addWeight({ name: "beta", shape, ...weightOptions(layer, "beta") });
}
