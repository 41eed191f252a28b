import type { TensorData } from "../backend/convert.js";
import type { DType } from "../backend/dtypes.js";
import type { SpecShape } from "../backend/shape.js";
import type { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";

/** Anything an op accepts as a tensor argument. */
export type TensorInput = Tensor | SymbolicTensor | Variable | TensorData;

/** A concrete or symbolic tensor. */
export type AnyTensor = Tensor | SymbolicTensor;

/** Shape and dtype of a tensor, concrete or symbolic. */
export interface Spec {
  readonly shape: SpecShape;
  readonly dtype: DType;
}

/**
 * The result type of an op given the union of its tensor arguments: symbolic when a symbolic tensor
 * is among them and no concrete tensor type is, concrete otherwise.
 */
export type Out<T> = [Extract<T, SymbolicTensor>] extends [never]
  ? Tensor
  : [Exclude<T, SymbolicTensor | number | boolean>] extends [never]
    ? SymbolicTensor
    : Tensor;
