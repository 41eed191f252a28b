/** `keras.ops`: every op works on concrete tensors (computes) and symbolic tensors (records a node). */
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./reduction.js";
export * from "./shape.js";
export * from "./indexing.js";
export * from "./linalg.js";
export * from "./gradient.js";
export * from "./nn/activations.js";
export * from "./nn/losses.js";
export * from "./nn/normalization.js";
export * from "./nn/conv.js";
export * from "./nn/pooling.js";
export type { AnyTensor, Out, Spec, TensorInput } from "./types.js";
import "./methods.js";
export type { TensorMethods } from "./methods.js";
