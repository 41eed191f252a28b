/** Keras's hinge metrics (keras/src/metrics/hinge_metrics.py): means of the hinge losses. */
import { categoricalHinge, hinge, squaredHinge } from "../losses/losses.js";
import { BuiltinMeanMetric } from "./builtin_mean_metric.js";
import type { MetricArgs } from "./metric.js";

/** Mean hinge loss (Keras's Hinge metric). */
export class Hinge extends BuiltinMeanMetric {
  constructor({ name = "hinge", dtype }: MetricArgs = {}) {
    super(hinge, { name, dtype });
  }
}

/** Mean squared hinge loss (Keras's SquaredHinge metric). */
export class SquaredHinge extends BuiltinMeanMetric {
  constructor({ name = "squared_hinge", dtype }: MetricArgs = {}) {
    super(squaredHinge, { name, dtype });
  }
}

/** Mean categorical hinge loss (Keras's CategoricalHinge metric). */
export class CategoricalHinge extends BuiltinMeanMetric {
  constructor({ name = "categorical_hinge", dtype }: MetricArgs = {}) {
    super(categoricalHinge, { name, dtype });
  }
}
