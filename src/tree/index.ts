/**
 * Nested structures (Keras's keras.tree): a leaf, or arrays and plain objects of structures.
 * Layer and model inputs/outputs travel in such structures.
 */
export type Nested<T> = T | Nested<T>[] | { [key: string]: Nested<T> };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Whether `x` is a container (array or plain object) rather than a leaf. */
export function isNested(x: unknown): boolean {
  return Array.isArray(x) || isPlainObject(x);
}

/** The leaves in order (object keys in insertion order). `isLeaf` can stop the descent early. */
export function flatten<T>(x: Nested<T>, isLeaf?: (v: unknown) => boolean): T[] {
  const out: T[] = [];
  const walk = (v: unknown): void => {
    if (isLeaf?.(v)) out.push(v as T);
    else if (Array.isArray(v)) for (const e of v) walk(e);
    else if (isPlainObject(v)) for (const e of Object.values(v)) walk(e);
    else out.push(v as T);
  };
  walk(x);
  return out;
}

/** Applies `f` to every leaf, keeping the structure. */
export function mapStructure<T, U>(x: Nested<T>, f: (leaf: T) => U, isLeaf?: (v: unknown) => boolean): Nested<U> {
  const walk = (v: unknown): unknown => {
    if (isLeaf?.(v)) return f(v as T);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e)]));
    return f(v as T);
  };
  return walk(x) as Nested<U>;
}

/** Rebuilds `structure`'s shape with the leaves of `flat`, in order. */
export function packSequenceAs<T>(structure: unknown, flat: readonly T[], isLeaf?: (v: unknown) => boolean): Nested<T> {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (isLeaf?.(v)) return flat[i++];
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e)]));
    return flat[i++];
  };
  const out = walk(structure);
  if (i !== flat.length) {
    throw new Error(`tree.packSequenceAs: the structure has ${i} leaves but ${flat.length} values were given.`);
  }
  return out as Nested<T>;
}
