/**
 * keras-ts: Keras 3 for TypeScript.
 *
 *     import * as keras from "keras-ts";
 *     const { layers, ops } = keras;
 */
import "./backend/native/index.js";
export * as ops from "./ops/index.js";
export * as random from "./random/index.js";
export * as layers from "./layers/index.js";
export * as models from "./models/index.js";
export * as activations from "./activations/index.js";
export * as initializers from "./initializers/index.js";
export * as regularizers from "./regularizers/index.js";
export * as constraints from "./constraints/index.js";
export * as backend from "./backend/index.js";
export * as losses from "./losses/index.js";
export * as metrics from "./metrics/index.js";
export * as optimizers from "./optimizers/index.js";
export * as callbacks from "./callbacks/index.js";
export * as datasets from "./datasets/index.js";
export * as utils from "./utils/index.js";
export { Tensor } from "./backend/tensor.js";
export { type SymbolicHistory, SymbolicTensor } from "./backend/symbolic_tensor.js";
export { Variable, type VariableOptions } from "./backend/variable.js";
export type { DType } from "./backend/dtypes.js";
export type { Nested } from "./tree/index.js";
export { GradientTape, type GradientTapeOptions } from "./autodiff/tape.js";
export { grad, valueAndGrad } from "./autodiff/grad.js";
export { Input } from "./layers/core/input_layer.js";
export { Layer } from "./layers/layer.js";
export { Model, type ModelArgs } from "./models/model.js";
export { Sequential } from "./models/sequential.js";
export * as saving from "./saving/index.js";
