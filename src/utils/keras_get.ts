/**
 * Keras's `get` for the families identified by name, class, `{ className, config }` or a plain
 * function (keras.constraints.get, keras.regularizers.get): one resolution order for all of them.
 */

/** What `getFromIdentifier` needs to know about one family. */
export interface IdentifierFamily<T> {
  /** The function users called, for errors ("constraints.get"). */
  who: string;
  /** What one member is called ("constraint"). */
  what: string;
  /** The family's base class: instances are returned as they are, subclasses instantiated. */
  base: abstract new (
    ...args: never[]
  ) => T;
  /** Classes by every accepted spelling (class name, snake_case, camelCase). */
  byName: ReadonlyMap<string, new () => T>;
  /** The error for a name not in `byName` (listing the known names). */
  unknown(name: string): Error;
  /** Wraps a plain function as a member (FunctionConstraint...). */
  wrap(fn: (...args: never[]) => unknown): T;
}

/**
 * The member an identifier stands for: null for null or undefined, an instance as it is, a new
 * instance with default arguments for a name or a class, `fromConfig` for `{ className, config }`
 * (`class_name` also accepted), a wrapper for a plain function.
 */
export function getFromIdentifier<T>(identifier: unknown, family: IdentifierFamily<T>): T | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof family.base) return identifier as T;
  const named = (name: string): (new () => T) => {
    const cls = family.byName.get(name);
    if (!cls) throw family.unknown(name);
    return cls;
  };
  if (typeof identifier === "string") return new (named(identifier))();
  if (typeof identifier === "function") {
    if (identifier.prototype instanceof family.base) return new (identifier as new () => T)();
    return family.wrap(identifier as (...args: never[]) => unknown);
  }
  if (typeof identifier === "object") {
    const { className, class_name, config } = identifier as {
      className?: unknown;
      class_name?: unknown;
      config?: Record<string, unknown>;
    };
    const name = className ?? class_name;
    if (typeof name === "string") {
      const cls = named(name) as unknown as { fromConfig(config: Record<string, unknown>): T };
      return cls.fromConfig(config ?? {});
    }
  }
  throw new TypeError(`${family.who}: could not interpret ${family.what} identifier ${String(identifier)}.`);
}
