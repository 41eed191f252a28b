/** `keras.backend`: which kernels run, and the low-level types. */
export { backendInfo as info } from "./kernels.js";
/** Threads of the native kernels (default: every core). */
export { getNumThreads, setNumThreads } from "./native/index.js";
export type { DType, TypedArray } from "./dtypes.js";
export { standardizeDType } from "./dtypes.js";
