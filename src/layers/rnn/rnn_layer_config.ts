import * as regularizers from "../../regularizers/index.js";
import type { Layer } from "../layer.js";

/**
 * The config of SimpleRNN/LSTM/GRU as Keras writes it: the RNN's own keys (without `cell`), then
 * the cell's arguments and the layer's activity regularizer, so `new LSTM(c.units, c)` rebuilds it.
 */
export function recurrentLayerConfig(
  base: Record<string, unknown>,
  cellConfig: Record<string, unknown>,
  layer: Layer,
): Record<string, unknown> {
  const { cell: _cell, ...rnn } = base;
  const { name: _n, trainable: _t, dtype: _d, ...cell } = cellConfig;
  const out: Record<string, unknown> = { ...rnn };
  for (const [k, v] of Object.entries(cell)) {
    if (k === "kernelConstraint") {
      out.activityRegularizer = layer.activityRegularizer ? regularizers.serialize(layer.activityRegularizer) : null;
    }
    out[k] = v;
  }
  return out;
}
