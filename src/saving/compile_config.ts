import * as losses from "../losses/index.js";
import * as metrics from "../metrics/index.js";
import type { Model } from "../models/model.js";
import * as optimizers from "../optimizers/index.js";
import type { CompileArgs } from "../trainers/trainer.js";
import { getRegisteredObject } from "./object_registration.js";
import { type CustomObjects, isKerasObject } from "./serialization.js";

/**
 * Keras's compile_config: what a model was compiled with (optimizer, losses, loss weights, metrics),
 * written into .keras files and used to compile the model again when it is loaded.
 */

function serializeLossLike(x: unknown, kind: "loss" | "metric"): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === "string" || typeof x === "number") return x;
  if (Array.isArray(x)) return x.map((e) => serializeLossLike(e, kind));
  if (typeof x === "function" || x instanceof losses.Loss || x instanceof metrics.Metric) {
    if (kind === "loss") return losses.serialize(x as losses.Loss);
    return metrics.serialize(x as metrics.Metric);
  }
  if (typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = serializeLossLike(v, kind);
    return out;
  }
  return x;
}

/** Keras's compile_config of a compiled model (empty object when it was not compiled). */
export function compileConfigOf(model: Model): Record<string, unknown> {
  // The Trainer keeps the arguments of the last compile() (Keras's get_compile_config reads them back).
  const args = model._compileArgs;
  if (!model.compiled || !args) return {};
  return {
    optimizer: model.optimizer ? optimizers.serialize(model.optimizer) : null,
    loss: serializeLossLike(args.loss, "loss"),
    loss_weights: args.lossWeights ?? null,
    metrics: serializeLossLike(args.metrics, "metric"),
    weighted_metrics: serializeLossLike(args.weightedMetrics, "metric"),
    run_eagerly: args.runEagerly ?? false,
    steps_per_execution: 1,
    jit_compile: args.jitCompile ?? "auto",
  };
}

function functionsByName(x: unknown, customObjects: CustomObjects, out: Record<string, never>): void {
  if (Array.isArray(x)) for (const e of x) functionsByName(e, customObjects, out);
  else if (isKerasObject(x)) {
    for (const key of [x.registered_name, typeof x.config === "string" ? x.config : null, x.class_name]) {
      if (!key) continue;
      const obj = getRegisteredObject(key, customObjects) ?? getRegisteredObject(`Custom>${key}`, customObjects);
      if (obj) out[key] = obj as never;
    }
  } else if (x !== null && typeof x === "object")
    for (const v of Object.values(x)) functionsByName(v, customObjects, out);
}

function deserializeLossLike(x: unknown, kind: "loss" | "metric", custom: Record<string, never>): unknown {
  if (x === null || x === undefined) return undefined;
  if (typeof x === "string") return custom[x] ?? x;
  if (Array.isArray(x)) return x.map((e) => deserializeLossLike(e, kind, custom));
  if (isKerasObject(x)) {
    if (kind === "loss") return losses.deserialize(x as never, custom);
    return metrics.deserialize(x as never, custom);
  }
  if (typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = deserializeLossLike(v, kind, custom);
    return out;
  }
  return x;
}

/** Compiles a model from Keras's compile_config and builds its optimizer (Keras's compile_from_config). */
export function compileFromConfig(
  model: Model,
  config: Record<string, unknown>,
  customObjects: CustomObjects = {},
): void {
  const custom: Record<string, never> = {};
  functionsByName(config, customObjects, custom);
  const optimizer = config.optimizer
    ? typeof config.optimizer === "string"
      ? optimizers.get(config.optimizer)
      : optimizers.deserialize(config.optimizer as optimizers.KerasObjectConfig, custom)
    : undefined;
  model.compile({
    optimizer,
    loss: deserializeLossLike(config.loss, "loss", custom) as CompileArgs["loss"],
    lossWeights: (config.loss_weights ?? undefined) as CompileArgs["lossWeights"],
    metrics: deserializeLossLike(config.metrics, "metric", custom) as CompileArgs["metrics"],
    weightedMetrics: deserializeLossLike(config.weighted_metrics, "metric", custom) as CompileArgs["weightedMetrics"],
    runEagerly: config.run_eagerly === true,
    // Keras writes true, false or "auto"; every value traces where the step can be traced.
    jitCompile: config.jit_compile === false ? false : "auto",
  });
  if (model.optimizer && model.built) model.optimizer.build(model.trainableWeights);
}
