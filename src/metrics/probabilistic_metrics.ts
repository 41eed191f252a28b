/** Keras's probabilistic metrics (keras/src/metrics/probabilistic_metrics.py): means of the loss functions. */
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  klDivergence,
  poisson,
  sparseCategoricalCrossentropy,
} from "../losses/losses.js";
import { BuiltinMeanMetric } from "./builtin_mean_metric.js";
import type { MetricArgs } from "./metric.js";

/** Mean Kullback-Leibler divergence (Keras's KLDivergence). */
export class KLDivergence extends BuiltinMeanMetric {
  constructor({ name = "kl_divergence", dtype }: MetricArgs = {}) {
    super(klDivergence, { name, dtype });
  }
}

/** Mean Poisson loss (Keras's Poisson). */
export class Poisson extends BuiltinMeanMetric {
  constructor({ name = "poisson", dtype }: MetricArgs = {}) {
    super(poisson, { name, dtype });
  }
}

export interface BinaryCrossentropyMetricArgs extends MetricArgs {
  fromLogits?: boolean;
  labelSmoothing?: number;
}

/** Mean binary crossentropy (Keras's BinaryCrossentropy metric). */
export class BinaryCrossentropy extends BuiltinMeanMetric {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor({
    name = "binary_crossentropy",
    dtype,
    fromLogits = false,
    labelSmoothing = 0,
  }: BinaryCrossentropyMetricArgs = {}) {
    super(binaryCrossentropy, { name, dtype, fromLogits, labelSmoothing });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }
}

export interface CategoricalCrossentropyMetricArgs extends BinaryCrossentropyMetricArgs {
  axis?: number;
}

/** Mean categorical crossentropy of one-hot labels (Keras's CategoricalCrossentropy metric). */
export class CategoricalCrossentropy extends BuiltinMeanMetric {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor({
    name = "categorical_crossentropy",
    dtype,
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
  }: CategoricalCrossentropyMetricArgs = {}) {
    super(categoricalCrossentropy, { name, dtype, fromLogits, labelSmoothing, axis });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
}

export interface SparseCategoricalCrossentropyMetricArgs extends MetricArgs {
  fromLogits?: boolean;
  ignoreClass?: number | null;
  axis?: number;
}

/** Mean crossentropy of integer labels (Keras's SparseCategoricalCrossentropy metric). */
export class SparseCategoricalCrossentropy extends BuiltinMeanMetric {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;

  constructor({
    name = "sparse_categorical_crossentropy",
    dtype,
    fromLogits = false,
    ignoreClass = null,
    axis = -1,
  }: SparseCategoricalCrossentropyMetricArgs = {}) {
    super(sparseCategoricalCrossentropy, { name, dtype, fromLogits, ignoreClass, axis });
    this.fromLogits = fromLogits;
    this.ignoreClass = ignoreClass;
    this.axis = axis;
  }
}
