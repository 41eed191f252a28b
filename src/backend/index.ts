/** `keras.backend`: which kernels run, and the low-level types. */
export { backendInfo as info } from "./kernels.js";
export type { DType, TypedArray } from "./dtypes.js";
export { standardizeDType } from "./dtypes.js";
