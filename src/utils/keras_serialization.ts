/**
 * Keras's serialize_keras_object format, shared by the families that save as it (losses, metrics):
 * built-in objects name their module, custom ones their registered name (resolved from customObjects).
 */

/** A serialized object: `{ module, class_name, config, registered_name }`. */
export interface KerasObjectConfig {
  module?: string | null;
  class_name: string;
  config?: Record<string, unknown> | string;
  registered_name?: string | null;
}

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** An instance's config dict: built-in when `classes` holds its class under its class name. */
export function serializeInstance(
  obj: object,
  module: string,
  classes: Record<string, unknown>,
  config: Record<string, unknown>,
): KerasObjectConfig {
  const className = obj.constructor.name;
  const builtin = hasOwn(classes, className) && classes[className] === obj.constructor;
  return {
    module: builtin ? module : null,
    class_name: className,
    config,
    registered_name: builtin ? null : className,
  };
}

/** A function's config dict, `{ class_name: "function", config: name }`; `builtinName` is null for custom ones. */
export function serializeFunctionRef(
  fn: { name: string },
  module: string,
  builtinName: string | null,
): KerasObjectConfig {
  const name = builtinName ?? fn.name;
  return { module: builtinName ? module : null, class_name: "function", config: name, registered_name: name };
}

/**
 * The class a class config names: a custom class under its registered name or its class name, else
 * the built-in class of that name; null when there is none.
 */
export function configClass<C>(
  config: KerasObjectConfig,
  customObjects: Record<string, unknown>,
  classes: Record<string, C>,
  isClass: (x: unknown) => x is C,
): C | null {
  const name = config.registered_name ?? config.class_name;
  const custom = hasOwn(customObjects, name)
    ? customObjects[name]
    : hasOwn(customObjects, config.class_name)
      ? customObjects[config.class_name]
      : null;
  if (custom && isClass(custom)) return custom;
  return hasOwn(classes, config.class_name) ? classes[config.class_name] : null;
}
