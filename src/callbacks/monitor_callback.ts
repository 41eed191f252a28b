import { Callback, type Logs } from "./callback.js";
import { warnOnce } from "./io.js";

export type MonitorMode = "auto" | "min" | "max";

// Keras 3 metrics' `_direction` by default name, used when the model's metric objects do not say.
const UP = new Set([
  "accuracy",
  "binary_accuracy",
  "categorical_accuracy",
  "sparse_categorical_accuracy",
  "top_k_categorical_accuracy",
  "sparse_top_k_categorical_accuracy",
  "auc",
  "precision",
  "recall",
  "f1_score",
  "fbeta_score",
  "precision_at_recall",
  "recall_at_precision",
  "sensitivity_at_specificity",
  "specificity_at_sensitivity",
  "pearson_correlation",
  "concordance_correlation",
  "cosine_similarity",
  "r2_score",
  "iou",
  "mean_iou",
  "binary_iou",
  "one_hot_iou",
  "one_hot_mean_iou",
]);
const DOWN = new Set([
  "mean_squared_error",
  "mean_absolute_error",
  "mean_absolute_percentage_error",
  "mean_squared_logarithmic_error",
  "root_mean_squared_error",
  "log_cosh_error",
  "hinge",
  "squared_hinge",
  "categorical_hinge",
  "kl_divergence",
  "poisson",
  "binary_crossentropy",
  "categorical_crossentropy",
  "sparse_categorical_crossentropy",
]);

/**
 * The base of callbacks that watch one logged quantity (Keras's MonitorCallback): picks "better"
 * from `mode` (or, with "auto", from the metric's direction) and compares with `minDelta`.
 */
export class MonitorCallback extends Callback {
  monitor: string;
  mode: MonitorMode;
  best: number | null;
  minDelta: number;
  monitorOp: ((a: number, b: number) => boolean) | null = null;

  constructor(monitor = "val_loss", mode: MonitorMode = "auto", baseline: number | null = null, minDelta = 0) {
    super();
    if (mode !== "auto" && mode !== "min" && mode !== "max") {
      warnOnce(`${this.constructor.name} mode '${mode}' is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    this.monitor = monitor;
    this.mode = mode;
    this.best = baseline;
    this.minDelta = Math.abs(minDelta);
  }

  protected setMonitorOp(): void {
    const less = (a: number, b: number) => a < b;
    const greater = (a: number, b: number) => a > b;
    if (this.mode === "min") this.monitorOp = less;
    else if (this.mode === "max") this.monitorOp = greater;
    else {
      const name = this.monitor.startsWith("val_") ? this.monitor.slice(4) : this.monitor;
      let direction: "up" | "down" | undefined;
      if (name === "loss" || name.endsWith("_loss")) direction = "down";
      const metric = this.model?.metrics?.find((m) => m.name === name) as
        | { direction?: "up" | "down"; _direction?: "up" | "down" }
        | undefined;
      direction = metric?.direction ?? metric?._direction ?? direction;
      if (direction === undefined && UP.has(name)) direction = "up";
      if (direction === undefined && DOWN.has(name)) direction = "down";
      if (direction === undefined) {
        throw new Error(
          `${this.constructor.name} callback received monitor=${this.monitor}, but Keras isn't able to automatically determine whether that metric should be maximized or minimized. Pass \`mode: "max"\` in order to monitor based on the highest metric value, or pass \`mode: "min"\` in order to use the lowest value.`,
        );
      }
      this.monitorOp = direction === "up" ? greater : less;
    }
    if (this.monitorOp === less) this.minDelta *= -1;
  }

  /** Whether `value` beats `reference` by more than minDelta (anything beats null). */
  protected isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return (this.monitorOp as (a: number, b: number) => boolean)(value - this.minDelta, reference);
  }

  protected monitorValue(logs: Logs | undefined, what: string): number | undefined {
    const value = logs?.[this.monitor];
    if (value === undefined) {
      warnOnce(
        `${what} conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs ?? {}).join(",")}`,
      );
    }
    return value;
  }
}
