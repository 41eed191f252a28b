import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Layer } from "../layers/layer.js";
import { Model } from "../models/model.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import "./functional.js";
import { isHdf5, readH5, writeH5 } from "./h5_io.js";
import { compileConfigOf, compileFromConfig } from "./compile_config.js";
import type { Registrable } from "./object_registration.js";
import {
  type CustomObjects,
  deserializeLayer,
  isKerasObject,
  type KerasObject,
  serializeLayer,
} from "./serialization.js";
import { isLegacyKerasH5, type LoadWeightsOptions, loadWeightsTree, weightsTree } from "./weights.js";
import { readZip, writeZip } from "./zip_io.js";

/** The Keras version whose format keras-ts writes (recorded in metadata.json, as Keras does). */
export const KERAS_FORMAT_VERSION = "3.15.1";

const CONFIG = "config.json";
const METADATA = "metadata.json";
const WEIGHTS = "model.weights.h5";

// ------------------------------------------------------------------ JSON

/** Keras's model.to_json(): the serialized model (no weights). */
export function modelToJson(model: Model): string {
  return JSON.stringify(serializeLayer(model));
}

export interface LoadOptions {
  /** Custom classes and functions by name (in addition to registered ones). */
  customObjects?: Record<string, Registrable>;
  /** Compile the model with the saved compile_config and restore the optimizer (default true). */
  compile?: boolean;
}

/** Keras's keras.models.model_from_json(). */
export function modelFromJson(json: string, options: LoadOptions = {}): Model {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch (e) {
    throw new Error(`models.modelFromJson: the text is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return modelFromConfig(record, options.customObjects ?? {}, "models.modelFromJson");
}

function modelFromConfig(record: unknown, customObjects: CustomObjects, what: string): Model {
  if (!isKerasObject(record)) throw new Error(`${what}: the config is not a serialized Keras model (no class_name).`);
  const layer: Layer = deserializeLayer(record, customObjects);
  if (!(layer instanceof Model)) {
    throw new Error(`${what}: the config describes a ${record.class_name}, not a model.`);
  }
  return layer;
}

// ------------------------------------------------------------------ files

/** Writes a file atomically: a temporary file in the same folder, then a rename over the target. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, data, { flag: "wx" });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function checkExtension(path: string, ext: string, what: string): void {
  if (!path.endsWith(ext)) {
    throw new Error(`${what}: the file name must end in ${ext}, received '${path}'.`);
  }
}

/** The bytes of a `.keras` file for a model (Keras 3's format). */
export async function modelToKerasBytes(model: Model): Promise<Uint8Array> {
  const record: KerasObject = serializeLayer(model);
  record.compile_config = compileConfigOf(model);
  const metadata = { keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved() };
  const weights = await writeH5(weightsTree(model, model.compiled ? model.optimizer : null));
  const enc = new TextEncoder();
  return writeZip([
    [METADATA, enc.encode(JSON.stringify(metadata))],
    [CONFIG, enc.encode(JSON.stringify(record))],
    [WEIGHTS, weights],
  ]);
}

function dateSaved(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** model.save(path): a `.keras` file Keras 3 can load. */
export async function saveModel(model: Model, path: string): Promise<void> {
  checkExtension(path, ".keras", `Model '${model.name}'.save`);
  await writeFileAtomic(path, await modelToKerasBytes(model));
}

/** A model from the bytes of a `.keras` file. */
export async function modelFromKerasBytes(bytes: Uint8Array, what: string, options: LoadOptions = {}): Promise<Model> {
  if (isHdf5(bytes)) {
    const root = await readH5(bytes, what);
    if (isLegacyKerasH5(root)) {
      throw new Error(
        `${what} is a Keras 2 (legacy HDF5 .h5) model file, which keras-ts cannot load. Open it in Python Keras and save it again as a Keras 3 file: model.save("model.keras").`,
      );
    }
    throw new Error(
      `${what} is an HDF5 file, not a .keras zip archive. Weights files load with model.loadWeights(path).`,
    );
  }
  const members = readZip(bytes, what);
  for (const name of [CONFIG, WEIGHTS]) {
    if (!members.has(name)) {
      throw new Error(
        `${what} is missing the member '${name}' (members: ${[...members.keys()].join(", ") || "none"}); it is not a complete .keras file.`,
      );
    }
  }
  let record: unknown;
  try {
    record = JSON.parse(new TextDecoder().decode(members.get(CONFIG)));
  } catch (e) {
    throw new Error(`${what}: ${CONFIG} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const customObjects = options.customObjects ?? {};
  const model = modelFromConfig(record, customObjects, what);
  const compileConfig = (record as KerasObject).compile_config;
  let compiled = false;
  if (options.compile !== false && compileConfig && Object.keys(compileConfig).length > 0) {
    try {
      compileFromConfig(model, compileConfig, customObjects);
      compiled = true;
    } catch (e) {
      // As Keras: a model whose compile state cannot be restored still loads, uncompiled.
      console.warn(
        `${what}: the model was loaded without compiling it: its compile_config could not be restored (${(e as Error).message}). Call model.compile() before training.`,
      );
    }
  }
  const root = await readH5(members.get(WEIGHTS) as Uint8Array, `${what} (${WEIGHTS})`);
  loadWeightsTree(model, compiled ? model.optimizer : null, root, what);
  return model;
}

/** keras.models.loadModel(path): a model from a `.keras` file written by Keras 3 or keras-ts. */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<Model> {
  if (path.endsWith(".h5") || path.endsWith(".hdf5")) {
    const bytes = new Uint8Array(await readFile(path));
    return modelFromKerasBytes(bytes, `'${path}'`, options);
  }
  checkExtension(path, ".keras", "models.loadModel");
  const bytes = new Uint8Array(await readFile(path));
  return modelFromKerasBytes(bytes, `'${path}'`, options);
}

/** model.saveWeights(path): Keras 3's `.weights.h5` file (the model's variables only). */
export async function saveWeights(model: Layer, path: string): Promise<void> {
  checkExtension(path, ".weights.h5", `Model '${model.name}'.saveWeights`);
  // As Keras 3's save_weights: a compiled model's optimizer state is saved too (under optimizer/vars).
  await writeFileAtomic(path, await writeH5(weightsTree(model, compiledOptimizer(model))));
}

function compiledOptimizer(model: Layer): Optimizer | null {
  return model instanceof Model && model.compiled ? model.optimizer : null;
}

/** model.loadWeights(path): reads a `.weights.h5` file (or the weights of a `.keras` file). */
export async function loadWeights(model: Layer, path: string, options: LoadWeightsOptions = {}): Promise<void> {
  const bytes = new Uint8Array(await readFile(path));
  let h5: Uint8Array = bytes;
  if (path.endsWith(".keras")) {
    const members = readZip(bytes, `'${path}'`);
    const w = members.get(WEIGHTS);
    if (!w) throw new Error(`'${path}' is missing the member '${WEIGHTS}'.`);
    h5 = w;
  } else if (!path.endsWith(".h5")) {
    throw new Error(`Model '${model.name}'.loadWeights: expected a .weights.h5 or .keras file, received '${path}'.`);
  }
  const root = await readH5(h5, `'${path}'`);
  // The optimizer state in the file is restored into a compiled model (built first, as Keras does).
  let optimizer = root.groups.has("optimizer") ? compiledOptimizer(model) : null;
  if (optimizer && !optimizer.built) {
    if (model.built) optimizer.build(model.trainableWeights);
    else optimizer = null;
  }
  loadWeightsTree(model, optimizer, root, `'${path}'`, options);
}
