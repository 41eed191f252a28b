import { shapeToString } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { isLeafValue } from "../layers/layer.js";
import * as lossesModule from "../losses/index.js";
import * as metricsModule from "../metrics/index.js";
import type { Metric } from "../metrics/metric.js";
import { Mean } from "../metrics/reduction_metrics.js";
import { add, multiply } from "../ops/elementwise.js";
import type { AnyTensor } from "../ops/types.js";
import { flatten, isNested, type Nested } from "../tree/index.js";

/** @inline */
export type LossId = lossesModule.LossIdentifier;
export type LossConfig = LossId | null | readonly (LossId | null)[] | { readonly [output: string]: LossId | null };
export type MetricId = string | Metric | ((yTrue: AnyTensor, yPred: AnyTensor) => AnyTensor);
export type MetricsConfig =
  | readonly MetricId[]
  | readonly (readonly MetricId[] | MetricId | null)[]
  | { readonly [output: string]: readonly MetricId[] | MetricId };

/** Matches a per-output setting (one value, a list, or an object keyed by output name) to the outputs. */
function perOutput<T>(
  config: T | readonly T[] | Record<string, T>,
  names: string[],
  what: string,
  single: boolean,
): (T | null)[] {
  if (Array.isArray(config)) {
    if (config.length !== names.length) {
      throw new Error(
        `compile: ${what} is a list of ${config.length} entries but the model has ${names.length} outputs (${names.join(", ")}).`,
      );
    }
    return config.slice();
  }
  if (!single && config !== null && typeof config === "object" && isNested(config)) {
    const obj = config as Record<string, T>;
    for (const k of Object.keys(obj)) {
      if (!names.includes(k)) {
        throw new Error(
          `compile: ${what} names an unknown output '${k}'. The model's outputs are: ${names.join(", ")}.`,
        );
      }
    }
    return names.map((n) => (n in obj ? obj[n] : null));
  }
  return names.map(() => config as T);
}

function isLossObject(x: unknown): boolean {
  return typeof x === "function" || typeof x === "string" || x instanceof lossesModule.Loss;
}

/** The compiled loss: one loss per output, weighted and summed (Keras's CompileLoss). */
export class CompileLoss {
  readonly losses: (lossesModule.Loss | null)[];
  readonly weights: number[];
  readonly names: string[];
  /** Per-output loss trackers, logged as `<output>_loss` when there are several outputs. */
  readonly trackers: Mean[];

  constructor(
    loss: LossConfig,
    lossWeights: readonly number[] | Record<string, number> | undefined,
    outputNames: string[],
  ) {
    this.names = outputNames;
    const perOut = perOutput(loss as LossId | null, outputNames, "loss", isLossObject(loss));
    this.losses = perOut.map((l) => (l === null || l === undefined ? null : lossesModule.get(l)));
    this.weights =
      lossWeights === undefined
        ? outputNames.map(() => 1)
        : (perOutput(lossWeights as never, outputNames, "lossWeights", false) as (number | null)[]).map((w) => w ?? 1);
    this.trackers = outputNames.length > 1 ? outputNames.map((n) => new Mean({ name: `${n}_loss` })) : [];
  }

  /** The weighted total for one batch; each output's value also feeds its tracker. */
  call(
    yTrue: Nested<Tensor> | undefined,
    yPred: Nested<AnyTensor>,
    sampleWeight: Nested<Tensor> | undefined,
  ): AnyTensor | null {
    const preds = flatten(yPred, isLeafValue) as AnyTensor[];
    const trues = matchTargets(yTrue, preds.length, this.names, "loss");
    const sws = sampleWeight === undefined ? [] : (flatten(sampleWeight, isLeafValue) as Tensor[]);
    let total: AnyTensor | null = null;
    this.losses.forEach((loss, i) => {
      if (!loss) return;
      const t = trues[i];
      if (t === undefined) {
        throw new Error(`compile: output '${this.names[i]}' has a loss but no target was given for it.`);
      }
      const sw = sws.length === 1 ? sws[0] : (sws[i] ?? null);
      let value: AnyTensor;
      try {
        value = loss.apply(t, preds[i], sw);
      } catch (e) {
        // The loss names itself and both shapes; add which output it was computing.
        const msg = (e as Error).message;
        const shapes = msg.includes(shapeToString(t.shape))
          ? ""
          : ` (targets ${shapeToString(t.shape)}, predictions ${shapeToString(preds[i].shape)})`;
        throw new Error(`Output '${this.names[i]}'${shapes}: ${msg}`, { cause: e });
      }
      if (this.trackers[i]) this.trackers[i].updateState(value as Tensor, preds[i].shape[0] ?? 1);
      const weighted = this.weights[i] === 1 ? value : multiply(value, this.weights[i]);
      total = total === null ? weighted : add(total, weighted);
    });
    return total;
  }
}

/** Targets in the order of the outputs (by name for objects), checking their count. */
function matchTargets(
  yTrue: Nested<Tensor> | undefined,
  n: number,
  names: string[],
  what: string,
): (Tensor | undefined)[] {
  if (yTrue === undefined) return names.map(() => undefined);
  if (isNested(yTrue) && !Array.isArray(yTrue)) {
    const obj = yTrue as Record<string, Tensor>;
    return names.map((k) => obj[k]);
  }
  const flat = flatten(yTrue, isLeafValue) as Tensor[];
  if (flat.length !== n) {
    throw new Error(`${what}: the model has ${n} outputs (${names.join(", ")}) but ${flat.length} targets were given.`);
  }
  return flat;
}

/** Resolves "accuracy"/"acc" and "crossentropy"/"ce" to the variant that fits the targets and predictions, as Keras does. */
function resolveMetric(id: MetricId, yTrue: Tensor, yPred: AnyTensor, loss: lossesModule.Loss | null): Metric {
  if (typeof id === "string" && ["accuracy", "acc", "crossentropy", "ce"].includes(id)) {
    const last = yPred.shape[yPred.shape.length - 1];
    const lossName = loss?.constructor.name ?? "";
    const binary = last === 1 || lossName === "BinaryCrossentropy" || lossName === "BinaryFocalCrossentropy";
    const sparse = !binary && (yTrue.rank < yPred.shape.length || (yTrue.shape[yTrue.rank - 1] === 1 && last !== 1));
    const acc = id === "accuracy" || id === "acc";
    const base = acc ? "accuracy" : "crossentropy";
    const kind = binary ? "binary" : sparse ? "sparse_categorical" : "categorical";
    const m = metricsModule.get(`${kind}_${base}`);
    m.name = id;
    return m;
  }
  // A metric made from a string is logged under that string, as Keras's get_metric names it.
  const m = metricsModule.get(id as never);
  if (typeof id === "string") m.name = id;
  return m;
}

/** The compiled metrics, per output, created lazily from the first batch's shapes (Keras's CompileMetrics). */
export class CompileMetrics {
  private readonly config: (MetricId[] | null)[];
  private readonly weightedConfig: (MetricId[] | null)[];
  private readonly names: string[];
  built: { metric: Metric; output: number; weighted: boolean }[] | null = null;

  constructor(metrics: MetricsConfig | undefined, weightedMetrics: MetricsConfig | undefined, outputNames: string[]) {
    this.names = outputNames;
    const norm = (cfg: MetricsConfig | undefined, what: string): (MetricId[] | null)[] => {
      if (cfg === undefined || cfg === null) return outputNames.map(() => null);
      const asList = (v: unknown): MetricId[] | null =>
        v === null || v === undefined ? null : Array.isArray(v) ? (v as MetricId[]) : [v as MetricId];
      if (Array.isArray(cfg)) {
        // A flat list applies to every output; a list of lists gives one list per output.
        if (
          outputNames.length > 1 &&
          cfg.length === outputNames.length &&
          cfg.some((c) => Array.isArray(c) || c === null)
        ) {
          return cfg.map(asList);
        }
        return outputNames.map(() => cfg as MetricId[]);
      }
      return perOutput(cfg as Record<string, MetricId[]>, outputNames, what, false).map(asList);
    };
    this.config = norm(metrics, "metrics");
    this.weightedConfig = norm(weightedMetrics, "weightedMetrics");
  }

  get metrics(): Metric[] {
    return (this.built ?? []).map((b) => b.metric);
  }

  private build(trues: (Tensor | undefined)[], preds: AnyTensor[], losses: (lossesModule.Loss | null)[]): void {
    const built: { metric: Metric; output: number; weighted: boolean }[] = [];
    const multi = this.names.length > 1;
    for (const [weighted, cfg] of [
      [false, this.config],
      [true, this.weightedConfig],
    ] as const) {
      cfg.forEach((ids, i) => {
        for (const id of ids ?? []) {
          const t = trues[i];
          if (!t) continue;
          const m = resolveMetric(id, t, preds[i], losses[i] ?? null);
          if (multi) m.name = `${this.names[i]}_${m.name}`;
          if (weighted && !multi) m.name = `weighted_${m.name}`;
          built.push({ metric: m, output: i, weighted });
        }
      });
    }
    this.built = built;
  }

  updateState(
    yTrue: Nested<Tensor> | undefined,
    yPred: Nested<AnyTensor>,
    sampleWeight: Nested<Tensor> | undefined,
    losses: (lossesModule.Loss | null)[],
  ): void {
    const preds = flatten(yPred, isLeafValue) as AnyTensor[];
    const trues = matchTargets(yTrue, preds.length, this.names, "metrics");
    if (!this.built) this.build(trues, preds, losses);
    const sws = sampleWeight === undefined ? [] : (flatten(sampleWeight, isLeafValue) as Tensor[]);
    for (const { metric, output, weighted } of this.built ?? []) {
      const t = trues[output];
      if (!t) continue;
      const sw = weighted ? (sws.length === 1 ? sws[0] : (sws[output] ?? null)) : null;
      metric.updateState(t, preds[output], sw);
    }
  }

  resetState(): void {
    for (const m of this.metrics) m.resetState();
  }
}
