import { camelToSnake, snakeToCamel } from "../utils/naming.js";

/** camelCase -> Keras's snake_case config key: "emaMomentum" -> "ema_momentum", "beta1" -> "beta_1". */
export function toKerasKey(key: string): string {
  return camelToSnake(key).replace(/([a-z])(\d)/g, "$1_$2");
}

/** Keras's snake_case config key -> camelCase: "beta_1" -> "beta1", "t_mul" -> "tMul". */
export function fromKerasKey(key: string): string {
  return snakeToCamel(key);
}

export function toKerasKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[toKerasKey(k)] = v;
  return out;
}

export function fromKerasKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[fromKerasKey(k)] = v;
  return out;
}

/** Keras's serialized object: `{ module, class_name, config, registered_name }`. */
export interface KerasObjectConfig {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
}

export function isKerasObjectConfig(x: unknown): x is KerasObjectConfig {
  return typeof x === "object" && x !== null && typeof (x as { class_name?: unknown }).class_name === "string";
}
