import * as activations from "../activations/index.js";
import type { FusedActivation } from "../ops/nn/conv.js";

/**
 * The activations a layer can fuse into its product op (Conv, Dense): those whose gradient reads
 * only their output. `undefined` for any other activation (the layer applies it as its own op).
 */
const FUSED = new Map<activations.Activation, FusedActivation>([
  [activations.get("linear"), null],
  [activations.get("relu"), "relu"],
  [activations.get("relu6"), "relu6"],
]);

export function fusedActivation(activation: activations.Activation): FusedActivation | undefined {
  return FUSED.get(activation);
}
