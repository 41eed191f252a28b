import * as activations from "../activations/index.js";
import { standardizeDType } from "../backend/dtypes.js";
import { Tensor } from "../backend/tensor.js";
import * as constraints from "../constraints/index.js";
import * as initializers from "../initializers/index.js";
import { Lambda } from "../layers/core/lambda.js";
import { InputLayer } from "../layers/core/input_layer.js";
import { Layer } from "../layers/layer.js";
import * as regularizers from "../regularizers/index.js";
import { camelToSnake, snakeToCamel } from "../utils/naming.js";
import {
  builtinLayerClass,
  constructLayer,
  hasKerasBuildConfig,
  kerasCallArgs,
  kerasOmittedKeys,
  type LayerClass,
} from "./layer_table.js";
import { getRegisteredName, getRegisteredObject, isRegistered, type Registrable } from "./object_registration.js";

/**
 * Keras 3's serialized objects (serialization_lib): `{ module, class_name, config, registered_name }`
 * with snake_case config keys, and the conversions between them and keras-ts's camelCase configs.
 */
export interface KerasObject {
  module: string | null;
  class_name: string;
  config: unknown;
  registered_name: string | null;
  build_config?: Record<string, unknown>;
  compile_config?: Record<string, unknown>;
  [extra: string]: unknown;
}

export type CustomObjects = Record<string, Registrable>;

export function isKerasObject(x: unknown): x is KerasObject {
  return typeof x === "object" && x !== null && !Array.isArray(x) && typeof (x as KerasObject).class_name === "string";
}

/** Keras's snake_case key: "useBias" -> "use_bias", "kernelSize" -> "kernel_size". */
export const toKerasKey = camelToSnake;
/** keras-ts's camelCase key: "use_bias" -> "useBias". */
export const fromKerasKey = snakeToCamel;

/** The DTypePolicy record Keras 3.4+ writes for a layer's dtype. */
export function dtypePolicy(name: string): KerasObject {
  return { module: "keras", class_name: "DTypePolicy", config: { name }, registered_name: null };
}

/** A dtype from a plain string (Keras <= 3.3) or a DTypePolicy record (3.4+). */
export function dtypeFromKeras(value: unknown, where: string): string {
  if (typeof value === "string") return standardizeDType(value, where);
  if (isKerasObject(value) && value.config && typeof (value.config as { name?: unknown }).name === "string") {
    const name = (value.config as { name: string }).name;
    if (name.startsWith("mixed_")) {
      throw new Error(
        `${where}: the mixed-precision dtype policy '${name}' is not supported by keras-ts (float32, float64, int32, bool).`,
      );
    }
    return standardizeDType(name, where);
  }
  throw new Error(`${where}: could not interpret dtype ${JSON.stringify(value)}.`);
}

// ------------------------------------------------------------------ functions

/**
 * A function as Keras writes it: its registered name, never its code. Built-in activations are
 * written by name where Keras expects a string; other functions must be registered.
 */
export function serializeFunction(fn: Registrable, where: string): KerasObject {
  const name = getRegisteredName(fn);
  if (!name) {
    throw new Error(
      `${where}: cannot save an anonymous function. Define it with a name and register it with keras.saving.registerKerasSerializable(fn).`,
    );
  }
  return { module: "builtins", class_name: "function", config: name, registered_name: "function" };
}

/** The function a `{ class_name: "function", config: name }` record names, looked up in the registry. */
export function deserializeFunction(
  record: unknown,
  customObjects: CustomObjects,
  where: string,
): (...args: unknown[]) => unknown {
  const name =
    typeof record === "string"
      ? record
      : isKerasObject(record) && typeof record.config === "string"
        ? record.config
        : null;
  if (name === null) {
    if (isKerasObject(record) && record.class_name === "__lambda__") {
      throw new Error(
        `${where}: the file holds a Python lambda (bytecode), which keras-ts cannot run. Save the model with a named function registered with keras.saving.register_keras_serializable, and register a function under the same name here with keras.saving.registerKerasSerializable.`,
      );
    }
    throw new Error(`${where}: could not interpret function ${JSON.stringify(record)}.`);
  }
  const fn = getRegisteredObject(name, customObjects) ?? getRegisteredObject(`Custom>${name}`, customObjects);
  if (typeof fn !== "function") {
    throw new Error(
      `${where}: unknown function '${name}'. Register it before loading: keras.saving.registerKerasSerializable(${name.split(">").pop()}${name.includes(">") ? `, { package: "${name.split(">")[0]}" }` : ""}), or pass it in customObjects.`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}

// ------------------------------------------------------------------ values inside layer configs

const MODULE_BY_SUFFIX: [RegExp, string][] = [
  [/Initializer$/, "keras.initializers"],
  [/Regularizer$/, "keras.regularizers"],
  [/Constraint$/, "keras.constraints"],
];

function moduleForKey(key: string): string | null {
  for (const [re, mod] of MODULE_BY_SUFFIX) if (re.test(key)) return mod;
  return null;
}

function toKerasRecord(module: string, value: { className: string; config: Record<string, unknown> }): KerasObject {
  const builtin = module === "keras.initializers" || module === "keras.regularizers" || module === "keras.constraints";
  const registered = getRegisteredObject(value.className);
  return {
    module,
    class_name: value.className,
    config: snakeKeys(value.config ?? {}),
    registered_name: builtin && !registered ? null : value.className,
  };
}

function snakeKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[toKerasKey(k)] = v;
  return out;
}

/** Converts one value of a camelCase config to what Keras writes under `key`. */
export function serializeConfigValue(key: string, value: unknown, where: string): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof initializers.Initializer)
    return toKerasRecord("keras.initializers", initializers.serialize(value));
  if (value instanceof regularizers.Regularizer)
    return toKerasRecord("keras.regularizers", regularizers.serialize(value));
  if (value instanceof constraints.Constraint) return toKerasRecord("keras.constraints", constraints.serialize(value));
  if (value instanceof Layer) return serializeLayer(value);
  if (value instanceof Tensor) return serializeTensorValue(value);
  if (typeof value === "function") {
    if (/[aA]ctivation$/.test(key))
      return serializeConfigValue(key, activations.serialize(value as activations.Activation), where);
    return serializeFunction(value as Registrable, `${where}: '${key}'`);
  }
  if (Array.isArray(value)) return value.map((v) => serializeConfigValue(key, v, where));
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (typeof obj.className === "string" && "config" in obj) {
      if (obj.className === "function") {
        return { module: "builtins", class_name: "function", config: obj.config, registered_name: "function" };
      }
      const mod = moduleForKey(key);
      if (mod) return toKerasRecord(mod, obj as { className: string; config: Record<string, unknown> });
    }
    if (isKerasObject(obj)) return obj;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = serializeConfigValue(k, v, where);
    return out;
  }
  return value;
}

/** A constant tensor as Keras writes NumPy arrays. */
export function serializeTensorValue(t: Tensor): KerasObject | number {
  if (t.shape.length === 0) return t.dtype === "bool" ? Number(t.data[0]) : Number(t.data[0]);
  return {
    class_name: "__numpy__",
    config: { value: t.toArray(), dtype: t.dtype },
    module: null,
    registered_name: null,
  } as KerasObject;
}

/** Converts one value of a Keras config (snake_case) back to what keras-ts constructors take. */
export function deserializeConfigValue(
  key: string,
  value: unknown,
  customObjects: CustomObjects,
  where: string,
): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => deserializeConfigValue(key, v, customObjects, where));
  if (!isKerasObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deserializeConfigValue(k, v, customObjects, where);
    return out;
  }
  const rec = value;
  if (rec.class_name === "__tuple__") {
    return ((rec.config as { value: unknown[] }).value ?? []).map((v) =>
      deserializeConfigValue(key, v, customObjects, where),
    );
  }
  if (rec.class_name === "__numpy__" || rec.class_name === "__tensor__") {
    const cfg = rec.config as { value: unknown; dtype: string };
    return cfg.value;
  }
  if (rec.class_name === "DTypePolicy" || rec.class_name === "DTypePolicyMap") return dtypeFromKeras(rec, where);
  if (rec.class_name === "function" || rec.class_name === "__lambda__") {
    if (/activation$/i.test(key) && typeof rec.config === "string") {
      const custom = getRegisteredObject(rec.config, customObjects);
      return custom ?? activations.get(rec.config);
    }
    return deserializeFunction(rec, customObjects, `${where}: '${key}'`);
  }
  const module = rec.module ?? "";
  const custom = rec.registered_name ? getRegisteredObject(rec.registered_name, customObjects) : undefined;
  const camelConfig = camelKeys((rec.config ?? {}) as Record<string, unknown>);
  if (
    module.startsWith("keras.initializers") ||
    module.startsWith("keras.regularizers") ||
    module.startsWith("keras.constraints")
  ) {
    if (custom)
      return (custom as unknown as { fromConfig(c: Record<string, unknown>): unknown }).fromConfig(camelConfig);
    const lib = module.startsWith("keras.initializers")
      ? initializers
      : module.startsWith("keras.regularizers")
        ? regularizers
        : constraints;
    return (lib.get as (id: unknown) => unknown)({ className: rec.class_name, config: camelConfig });
  }
  // Anything else with a class name is a layer (RNN cells, wrapped layers, custom layers).
  return deserializeLayer(rec, customObjects);
}

function camelKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[fromKerasKey(k)] = v;
  return out;
}

// ------------------------------------------------------------------ layers

/** Model classes plug their (de)serialization in here (functional.ts), keeping imports one-way. */
export interface ModelSerializer {
  serialize(layer: Layer): KerasObject | null;
  deserialize(record: KerasObject, customObjects: CustomObjects): Layer | null;
}
let modelSerializer: ModelSerializer | null = null;
export function setModelSerializer(s: ModelSerializer): void {
  modelSerializer = s;
}

/** Keras's build_config: the shapes of the first call (a list of shapes for layers called on lists). */
export function buildConfigOf(layer: Layer): Record<string, unknown> | undefined {
  // Keras records build shapes only for layers that define build() (Layer's default has nothing to build).
  if (!layer.built || layer instanceof InputLayer || !hasKerasBuildConfig(kerasClassName(layer))) return undefined;
  const node = layer._inboundNodes[0];
  if (node) {
    const shapeOf = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(shapeOf)
        : (x as { shape?: unknown }).shape
          ? [...(x as { shape: unknown[] }).shape]
          : null;
    const inputs = node.inputs;
    const names = kerasCallArgs(kerasClassName(layer));
    if (names && inputs !== null && typeof inputs === "object" && !Array.isArray(inputs)) {
      // Keras builds these layers with one shape per call argument (build(query_shape, value_shape)).
      const shapesDict: Record<string, unknown> = {};
      for (const name of names) {
        const t = (inputs as Record<string, unknown>)[name];
        if (t !== undefined) shapesDict[`${toKerasKey(name)}_shape`] = shapeOf(t);
      }
      return { shapes_dict: shapesDict };
    }
    const shapes =
      Array.isArray(inputs) && inputs.length === 1 && !Array.isArray(inputs[0]) ? shapeOf(inputs[0]) : shapeOf(inputs);
    return { input_shape: shapes };
  }
  return layer._batchInputShape ? { input_shape: [...layer._batchInputShape] } : undefined;
}

/** Extra config keys Keras writes that a keras-ts layer's getConfig leaves out. */
function kerasExtras(layer: Layer, className: string): Record<string, unknown> {
  if (className === "Dense") {
    const args = (layer as unknown as { args?: Record<string, unknown> }).args ?? {};
    return {
      kernelInitializer: initializers.get(
        (args.kernelInitializer as initializers.InitializerIdentifier) ?? "glorot_uniform",
      ),
      biasInitializer: initializers.get((args.biasInitializer as initializers.InitializerIdentifier) ?? "zeros"),
      kernelRegularizer: args.kernelRegularizer
        ? regularizers.get(args.kernelRegularizer as regularizers.RegularizerIdentifier)
        : null,
      biasRegularizer: args.biasRegularizer
        ? regularizers.get(args.biasRegularizer as regularizers.RegularizerIdentifier)
        : null,
      kernelConstraint: args.kernelConstraint
        ? constraints.get(args.kernelConstraint as constraints.ConstraintIdentifier)
        : null,
      biasConstraint: args.biasConstraint
        ? constraints.get(args.biasConstraint as constraints.ConstraintIdentifier)
        : null,
    };
  }
  return {};
}

/** The Keras class name of a layer (custom classes: their own name). */
export function kerasClassName(layer: Layer): string {
  return layer.constructor.name;
}

/** Serializes a layer as Keras's serialize_keras_object does (without functional node data). */
export function serializeLayer(layer: Layer): KerasObject {
  const fromModel = modelSerializer?.serialize(layer);
  if (fromModel) return fromModel;
  const className = kerasClassName(layer);
  const where = layer.describe();
  const cls = layer.constructor as Registrable;
  const builtin = builtinLayerClass(className) === cls;
  if (!builtin && !isRegistered(cls)) {
    throw new Error(
      `${where}: cannot save the custom layer class ${className}: register it with keras.saving.registerKerasSerializable(${className}) (it needs a getConfig() that returns its constructor arguments).`,
    );
  }
  if (layer instanceof InputLayer) {
    return {
      module: "keras.layers",
      class_name: "InputLayer",
      config: {
        batch_shape: [...layer.batchShape],
        dtype: layer._inputTensor.dtype,
        sparse: false,
        ragged: false,
        name: layer.name,
        optional: false,
      },
      registered_name: null,
    };
  }
  const camel: Record<string, unknown> = { ...layer.getConfig(), ...kerasExtras(layer, className) };
  if (builtin) for (const k of kerasOmittedKeys(className)) delete camel[k];
  // Wrappers give their sublayers (RNN's cell, TimeDistributed's and Bidirectional's layers) as
  // { className, config }; Keras writes full layer records, so the sublayer instances are serialized.
  const nested: string[] = [];
  for (const [k, v] of Object.entries(camel)) {
    const sub = sublayerFor(layer, v);
    if (sub) {
      camel[k] = sub;
      nested.push(toKerasKey(k));
    }
  }
  if (layer instanceof Lambda) {
    camel.function = serializeFunction(layer.fn, `${where}: its function`);
    const os = layer.outputShapeArg;
    camel.outputShape = typeof os === "function" ? serializeFunction(os, `${where}: its outputShape`) : os;
    if (camel.outputShape === null || camel.outputShape === undefined) delete camel.outputShape;
  }
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(camel)) {
    if (v === undefined) continue;
    config[toKerasKey(k)] = k === "dtype" && typeof v === "string" ? dtypePolicy(v) : serializeConfigValue(k, v, where);
  }
  const out: KerasObject = {
    module: builtin ? "keras.layers" : null,
    class_name: className,
    config,
    registered_name: builtin ? null : getRegisteredName(cls),
  };
  const build = buildConfigOf(layer);
  if (build) out.build_config = build;
  for (const k of nested) {
    const rec = config[k] as KerasObject;
    const shape = build?.input_shape;
    if (rec.build_config || !Array.isArray(shape) || !hasKerasBuildConfig(rec.class_name)) continue;
    // Keras builds a wrapper's sublayer on the wrapper's input shape, less the time axis for
    // RNN cells and TimeDistributed's layer (Bidirectional's layers see the whole sequence).
    const sub = className === "Bidirectional" ? shape : [shape[0], ...shape.slice(2)];
    rec.build_config = { input_shape: sub };
  }
  return out;
}

/** The sublayer of `layer` that a `{ className, config: { name } }` config value describes, if any. */
function sublayerFor(layer: Layer, value: unknown): Layer | null {
  if (value === null || typeof value !== "object" || value instanceof Layer) return null;
  const { className, config } = value as { className?: unknown; config?: { name?: unknown } };
  if (typeof className !== "string" || !config || typeof config.name !== "string") return null;
  for (const v of Object.values(layer)) {
    if (v instanceof Layer && v.name === config.name && v.constructor.name === className) return v;
  }
  return null;
}

/** Rebuilds a layer from its Keras record; unknown classes fail naming the class and how to register it. */
export function deserializeLayer(record: KerasObject, customObjects: CustomObjects = {}): Layer {
  const fromModel = modelSerializer?.deserialize(record, customObjects);
  if (fromModel) return fromModel;
  const className = record.class_name;
  const custom =
    (record.registered_name ? getRegisteredObject(record.registered_name, customObjects) : undefined) ??
    getRegisteredObject(className, customObjects);
  const cls = (custom as LayerClass | undefined) ?? builtinLayerClass(className);
  if (!cls) {
    const reg = record.registered_name ?? className;
    throw new Error(
      `Unknown layer class '${className}'${record.module ? ` (module '${record.module}')` : ""}: keras-ts has no such built-in layer. If it is a custom layer, register it before loading: keras.saving.registerKerasSerializable(${className}${reg.includes(">") ? `, { package: "${reg.split(">")[0]}" }` : ""}), or pass { customObjects: { "${reg}": ${className} } }.`,
    );
  }
  const raw = (record.config ?? {}) as Record<string, unknown>;
  const where = `Layer '${String(raw.name ?? "?")}' (${className})`;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === "shared_object_id" || k === "quantization_config" || k === "lora_rank" || k === "lora_alpha") continue;
    const key = fromKerasKey(k);
    if (k === "dtype") {
      if (v !== null && v !== undefined) config.dtype = dtypeFromKeras(v, where);
      continue;
    }
    if (k === "batch_input_shape" && Array.isArray(v)) {
      config.inputShape = v.slice(1);
      continue;
    }
    config[key] = deserializeConfigValue(key, v, customObjects, where);
  }
  if (cls === (InputLayer as unknown as LayerClass)) {
    const { sparse: _s, ragged: _r, optional: _o, inputShape: _i, ...rest } = config;
    return new InputLayer(rest);
  }
  if (cls === (Lambda as unknown as LayerClass)) {
    const { function: fn, outputShape, ...rest } = config;
    if (typeof outputShape === "object" && outputShape !== null && !Array.isArray(outputShape)) {
      rest.outputShape = deserializeFunction(outputShape, customObjects, `${where}: its output_shape`);
    } else if (outputShape !== undefined) rest.outputShape = outputShape;
    return new Lambda(fn as never, rest);
  }
  try {
    return constructLayer(cls, className, config);
  } catch (e) {
    throw new Error(`${where}: could not be created from its config: ${(e as Error).message}`, { cause: e });
  }
}
