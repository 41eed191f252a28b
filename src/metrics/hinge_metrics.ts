/** Keras's hinge metrics (keras/src/metrics/hinge_metrics.py): means of the hinge losses. */
import { categoricalHinge, hinge, squaredHinge } from "../losses/losses.js";
import type { MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";

/** Mean hinge loss (Keras's Hinge metric). */
export class Hinge extends MeanMetricWrapper {
  constructor({ name = "hinge", dtype }: MetricArgs = {}) {
    super(hinge, { name, dtype });
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/** Mean squared hinge loss (Keras's SquaredHinge metric). */
export class SquaredHinge extends MeanMetricWrapper {
  constructor({ name = "squared_hinge", dtype }: MetricArgs = {}) {
    super(squaredHinge, { name, dtype });
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/** Mean categorical hinge loss (Keras's CategoricalHinge metric). */
export class CategoricalHinge extends MeanMetricWrapper {
  constructor({ name = "categorical_hinge", dtype }: MetricArgs = {}) {
    super(categoricalHinge, { name, dtype });
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}
