/** Element types a tensor can hold. `bool` is stored as one byte per element (0 or 1). */
export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type ArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** Keras/NumPy spellings that map onto our dtypes. */
const ALIASES: Record<string, DType> = {
  float32: "float32",
  float: "float32",
  float64: "float64",
  double: "float64",
  int32: "int32",
  int: "int32",
  bool: "bool",
  boolean: "bool",
};

export function standardizeDType(dtype: string, where = "dtype"): DType {
  const d = ALIASES[dtype];
  if (d === undefined) {
    throw new TypeError(`${where}: unknown dtype '${dtype}'. Expected one of ${DTYPES.join(", ")}.`);
  }
  return d;
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isInt(dtype: DType): boolean {
  return dtype === "int32";
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** NumPy-style promotion of two tensor dtypes (bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}
