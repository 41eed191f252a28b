/** Keras's to_snake_case: "Conv2DTranspose" -> "conv2d_transpose", "LSTM" -> "lstm". */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** camelCase -> snake_case for config keys ("useBias" -> "use_bias"). */
export function camelToSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** snake_case -> camelCase ("use_bias" -> "useBias"). */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const counts = new Map<string, number>();

/** Unique names as Keras makes them: "dense", "dense_1", "dense_2", ... */
export function uniqueName(base: string): string {
  const n = counts.get(base) ?? 0;
  counts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Forgets the names handed out (keras.backend.clearSession / keras.utils.clearSession). */
export function resetNames(): void {
  counts.clear();
}
