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
 * The result type of an op given the union of its tensor arguments: symbolic as soon as a symbolic
 * tensor is among them (a concrete tensor mixed in becomes a constant of the graph), concrete otherwise.
 */
export type Out<T> = 0 extends 1 & T ? Tensor : [Extract<T, SymbolicTensor>] extends [never] ? Tensor : SymbolicTensor;
