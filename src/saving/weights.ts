import { castTensor } from "../backend/convert.js";
import { shapeToString } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Layer } from "../layers/layer.js";
import { Model } from "../models/model.js";
import { Sequential } from "../models/sequential.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { camelToSnake, toSnakeCase } from "../utils/naming.js";
import { isFunctionalModel, kerasLayers } from "./functional.js";
import { type H5Group, newGroup } from "./h5_io.js";

/**
 * Keras 3's weights layout (saving_lib's attribute walk): every saveable object gets a `vars` group
 * (attribute `name`) holding datasets "0", "1", ... in its own variable order (trainable first);
 * a model's layers sit under `layers/<snake_case class name>[_n]` in `model.layers` order, sublayers
 * kept in fields under the field's snake_case name, the optimizer under `optimizer`.
 */

/** The Keras class name used for paths: functional models are "Functional" in Keras. */
function pathClassName(obj: Layer): string {
  if (isFunctionalModel(obj)) return "Functional";
  return obj.constructor.name;
}

/** Variables kept directly in fields (not made by addWeight), as Keras tracks attribute variables. */
function fieldVariables(layer: Layer): Variable[] {
  const out: Variable[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (v instanceof Variable) out.push(v);
    else if (depth < 3 && Array.isArray(v)) for (const e of v) walk(e, depth + 1);
  };
  for (const [key, v] of Object.entries(layer)) if (!key.startsWith("_")) walk(v, 0);
  return out;
}

/** A layer's own variables in Keras's order: trainable ones, then non-trainable ones. */
export function ownVariables(layer: Layer): Variable[] {
  const own = [...layer._ownTrainable, ...layer._ownNonTrainable];
  const extra = fieldVariables(layer).filter((v) => !own.includes(v));
  return [
    ...layer._ownTrainable,
    ...extra.filter((v) => v.trainable),
    ...layer._ownNonTrainable,
    ...extra.filter((v) => !v.trainable),
  ];
}

type Child = [string, Layer | Optimizer | Layer[]];

const SKIPPED_FIELDS = new Set(["inputSpec", "activityRegularizer", "name", "optimizer", "layers"]);

/** The saveable children of an object, as Keras's _walk_saveable yields them. */
function children(obj: Layer, optimizer: Optimizer | null): Child[] {
  const out: Child[] = [];
  if (obj instanceof Model && (obj.isFunctional || obj instanceof Sequential)) out.push(["layers", kerasLayers(obj)]);
  const fields: Child[] = [];
  // Plain layers and subclassed models: sublayers kept in fields, under the fields' snake_case names.
  if (!(obj instanceof Model && (obj.isFunctional || obj instanceof Sequential))) {
    for (const [key, v] of Object.entries(obj)) {
      if (key.startsWith("_") || SKIPPED_FIELDS.has(key)) continue;
      if (v instanceof Layer) fields.push([camelToSnake(key), v]);
      else if (Array.isArray(v) && v.some((e) => e instanceof Layer)) {
        fields.push([camelToSnake(key), v.filter((e): e is Layer => e instanceof Layer)]);
      }
    }
  }
  if (optimizer) fields.push(["optimizer", optimizer]);
  // Keras visits attributes sorted by name.
  fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [...out, ...fields];
}

function isOptimizer(x: unknown): x is Optimizer {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Optimizer).saveOwnVariables === "function" &&
    !(x instanceof Layer)
  );
}

function groupAt(root: H5Group, path: string[], create: boolean): H5Group | null {
  let g = root;
  for (const p of path) {
    let next = g.groups.get(p);
    if (!next) {
      if (!create) return null;
      next = newGroup();
      g.groups.set(p, next);
    }
    g = next;
  }
  return g;
}

/** A visit of every saveable object with its path, in Keras's order (each object once). */
function walk(
  model: Layer,
  optimizer: Optimizer | null,
  visitObj: (obj: Layer | Optimizer, path: string[]) => void,
): void {
  const visited = new Set<object>();
  const visit = (obj: Layer | Optimizer, path: string[], opt: Optimizer | null): void => {
    if (visited.has(obj)) return;
    visitObj(obj, path);
    visited.add(obj);
    if (isOptimizer(obj)) return;
    for (const [name, child] of children(obj, opt)) {
      if (Array.isArray(child)) {
        const used = new Map<string, number>();
        for (const l of child) {
          const base = toSnakeCase(pathClassName(l));
          const n = used.get(base);
          used.set(base, n === undefined ? 0 : n + 1);
          visit(l, [...path, name, n === undefined ? base : `${base}_${n + 1}`], null);
        }
      } else {
        visit(child, [...path, name], null);
      }
    }
  };
  visit(model, [], optimizer);
}

/** Builds the weights tree of a model (and its optimizer, when given and built). */
export function weightsTree(model: Layer, optimizer: Optimizer | null): H5Group {
  const root = newGroup();
  walk(model, optimizer, (obj, path) => {
    const vars = groupAt(root, [...path, "vars"], true) as H5Group;
    vars.attrs.name = obj.name;
    if (isOptimizer(obj)) {
      const store: Record<string, Tensor> = {};
      obj.saveOwnVariables(store);
      for (const [k, v] of Object.entries(store)) vars.datasets.set(k, v);
      return;
    }
    ownVariables(obj).forEach((v, i) => {
      vars.datasets.set(String(i), v.peek());
    });
  });
  return root;
}

export interface LoadWeightsOptions {
  /** Skip layers whose variables do not match the file instead of failing (Keras's skip_mismatch). */
  skipMismatch?: boolean;
}

/** Keras 2's legacy HDF5 layout (`model_weights` / `layer_names`), which this loader does not read. */
export function isLegacyKerasH5(root: H5Group): boolean {
  return root.groups.has("model_weights") || "layer_names" in root.attrs || "keras_version" in root.attrs;
}

/** Assigns the values of a weights tree to a model (and its optimizer when given), checking every shape. */
export function loadWeightsTree(
  model: Layer,
  optimizer: Optimizer | null,
  root: H5Group,
  what: string,
  options: LoadWeightsOptions = {},
): void {
  if (isLegacyKerasH5(root)) {
    throw new Error(
      `${what} is a Keras 2 (legacy HDF5) file, which keras-ts cannot load. Open it in Python Keras and save it again as a Keras 3 file: model.save("model.keras") or model.save_weights("model.weights.h5").`,
    );
  }
  const assignments: [Variable, Tensor][] = [];
  const optimizerLoads: (() => void)[] = [];
  walk(model, optimizer, (obj, path) => {
    const group = groupAt(root, [...path, "vars"], false);
    const label = path.length ? path.join("/") : "(model root)";
    if (isOptimizer(obj)) {
      const store: Record<string, Tensor> = {};
      if (group) for (const [k, v] of group.datasets) store[k] = v;
      if (group && obj.variables.length > 0) optimizerLoads.push(() => obj.loadOwnVariables(store));
      return;
    }
    const vars = ownVariables(obj);
    const saved = group ? group.datasets : new Map<string, Tensor>();
    if (saved.size !== vars.length) {
      if (options.skipMismatch) return;
      throw new Error(
        `${obj.describe()} expected ${vars.length} variables, but ${what} holds ${saved.size} at '${label}/vars'${vars.length ? ` (expected: ${vars.map((v) => `${v.name} ${shapeToString(v.shape)}`).join(", ")})` : ""}.`,
      );
    }
    const pending: [Variable, Tensor][] = [];
    for (const [i, v] of vars.entries()) {
      const t = saved.get(String(i));
      if (!t)
        throw new Error(
          `${what}: dataset '${label}/vars/${i}' is missing (for ${obj.describe()}, variable '${v.name}').`,
        );
      const same = t.shape.length === v.shape.length && t.shape.every((d, j) => d === v.shape[j]);
      if (!same) {
        if (options.skipMismatch) return;
        throw new Error(
          `${obj.describe()}: variable '${v.name}' has shape ${shapeToString(v.shape)}, but ${what} holds shape ${shapeToString(t.shape)} at '${label}/vars/${i}'.`,
        );
      }
      pending.push([v, t]);
    }
    assignments.push(...pending);
  });
  // Assign only once everything matched, so a failed load leaves the model unchanged.
  for (const [v, t] of assignments) v.assign(t.dtype === v.dtype ? t : castTensor(t, v.dtype));
  for (const load of optimizerLoads) load();
}
