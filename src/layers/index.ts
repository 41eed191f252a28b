/** `keras.layers`: the layer catalogue, grouped as in Keras 3. */
export { Layer, type CallOptions, type LayerArgs, type AddWeightArgs } from "./layer.js";
export { InputSpec, type InputSpecArgs } from "./input_spec.js";
export { InputLayer, Input, type InputArgs } from "./core/input_layer.js";
export { Dense, type DenseArgs } from "./core/dense.js";
export { Lambda, type LambdaArgs, type LambdaFunction } from "./core/lambda.js";
