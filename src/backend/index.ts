/** `keras.backend`: which kernels run, and the low-level types. */
export { backendInfo as info } from "./kernels.js";
/** Threads of the native kernels (default: every core). */
export { getNumThreads, setNumThreads } from "./native/index.js";
export type { DType, TypedArray } from "./dtypes.js";
export type { Backend, NativeInfo } from "./kernels.js";
export type { Shape, SpecShape } from "./shape.js";
export type { NestedArray } from "./tensor.js";
export type { TensorData } from "./convert.js";
export { standardizeDType } from "./dtypes.js";
