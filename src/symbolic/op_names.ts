import { toSnakeCase } from "../utils/naming.js";

/**
 * Display names for the op nodes of a graph ("add", "add_1", ...), as Keras names its operations:
 * summaries and model plots use the same names.
 */
export function opNodeNames<N extends { op: { name: string } }>(
  steps: readonly { kind: string; node: unknown }[],
): Map<N, string> {
  const names = new Map<N, string>();
  const counts = new Map<string, number>();
  for (const s of steps) {
    if (s.kind !== "op") continue;
    const node = s.node as N;
    const base = toSnakeCase(node.op.name);
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    names.set(node, n === 0 ? base : `${base}_${n}`);
  }
  return names;
}
