/**
 * Keras's custom-object registry (keras.saving.register_keras_serializable and friends): classes and
 * functions registered under "package>name" so that saved configs can name them and loading can
 * find them again. Code is never saved: a config holds only the registered name.
 */

// biome-ignore lint/suspicious/noExplicitAny: any class or function may be registered.
export type Registrable = ((...args: any[]) => unknown) | (abstract new (...args: any[]) => unknown);

const GLOBAL_CUSTOM_OBJECTS = new Map<string, Registrable>();
const GLOBAL_CUSTOM_NAMES = new Map<Registrable, string>();
let scopes: Record<string, Registrable>[] = [];

export interface RegisterOptions {
  /** The package part of the key (Keras's default: "Custom"). */
  package?: string;
  /** The name part of the key (default: the class or function name). */
  name?: string;
}

/**
 * Registers a class or function under `"package>name"` (Keras's register_keras_serializable), so that
 * models using it can be saved and loaded. Returns the object, so it can wrap a definition:
 * `const MyLayer = registerKerasSerializable(class MyLayer extends Layer { ... }, { package: "my" })`.
 */
export function registerKerasSerializable<T extends Registrable>(obj: T, options: RegisterOptions = {}): T {
  if (typeof obj !== "function") {
    throw new TypeError(`saving.registerKerasSerializable: expected a class or a function, received ${typeof obj}.`);
  }
  const name = options.name ?? obj.name;
  if (!name) {
    throw new Error("saving.registerKerasSerializable: the function has no name; pass { name } to register it.");
  }
  const key = `${options.package ?? "Custom"}>${name}`;
  const proto = (obj as { prototype?: unknown }).prototype;
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(obj));
  if (isClass && proto && typeof (proto as { getConfig?: unknown }).getConfig !== "function") {
    throw new Error(`saving.registerKerasSerializable: cannot register class ${name}: it has no getConfig() method.`);
  }
  GLOBAL_CUSTOM_OBJECTS.set(key, obj);
  GLOBAL_CUSTOM_NAMES.set(obj, key);
  return obj;
}

/** The key an object is registered under ("package>name"), or its own name when it is not registered. */
export function getRegisteredName(obj: Registrable): string {
  return GLOBAL_CUSTOM_NAMES.get(obj) ?? obj.name;
}

/** Whether the object was registered with registerKerasSerializable. */
export function isRegistered(obj: Registrable): boolean {
  return GLOBAL_CUSTOM_NAMES.has(obj);
}

/**
 * The object registered (or given in a customObjectScope, or in `customObjects`) under `name`, or
 * undefined. As in Keras, the innermost scope wins, then `customObjects`, then the global registry.
 */
export function getRegisteredObject(
  name: string,
  customObjects: Record<string, Registrable> = {},
): Registrable | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) if (Object.hasOwn(scopes[i], name)) return scopes[i][name];
  if (Object.hasOwn(customObjects, name)) return customObjects[name];
  return GLOBAL_CUSTOM_OBJECTS.get(name);
}

/** The live global registry ("package>name" -> object), as Keras's get_custom_objects. */
export function getCustomObjects(): Map<string, Registrable> {
  return GLOBAL_CUSTOM_OBJECTS;
}

/** Runs `fn` with extra custom objects visible to deserialization (Keras's custom_object_scope). */
export function customObjectScope<R>(objects: Record<string, Registrable>, fn: () => R): R {
  const saved = scopes;
  scopes = [...scopes, objects];
  try {
    const r = fn();
    if (r instanceof Promise) {
      return r.finally(() => {
        scopes = saved;
      }) as R;
    }
    scopes = saved;
    return r;
  } catch (e) {
    scopes = saved;
    throw e;
  }
}
