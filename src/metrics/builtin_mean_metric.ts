import { MeanMetricWrapper } from "./reduction_metrics.js";

/**
 * Keras's metric classes that average a function (Accuracy, MeanSquaredError...): the function is
 * implied by the class, so the config is the name, the dtype and the options the constructor passes.
 */
export class BuiltinMeanMetric extends MeanMetricWrapper {
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype, ...this.fnOptions };
  }
}
