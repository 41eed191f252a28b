/**
 * keras-ts: Keras 3 for TypeScript.
 *
 *     import * as keras from "keras-ts";
 *     const { ops } = keras;
 */
export * as ops from "./ops/index.js";
export * as random from "./random/index.js";
export { Tensor } from "./backend/tensor.js";
export { SymbolicTensor } from "./backend/symbolic_tensor.js";
export { Variable, type VariableOptions } from "./backend/variable.js";
export type { DType } from "./backend/dtypes.js";
export { GradientTape, type GradientTapeOptions } from "./autodiff/tape.js";
export { grad, valueAndGrad } from "./autodiff/grad.js";
export * as backend from "./backend/index.js";
