import { InputSpec } from "../input_spec.js";
import type { RNNCellArgs } from "./dropout_rnn_cell.js";
import { RNN, type RNNArgs } from "./rnn.js";
import { recurrentLayerConfig } from "./rnn_layer_config.js";
import { SimpleRNNCell } from "./simple_rnn_cell.js";

export interface SimpleRNNArgs extends RNNCellArgs, RNNArgs {}

/** Keras's SimpleRNN: RNN(SimpleRNNCell); weights on `layer.cell` (paths `simple_rnn/simple_rnn_cell/...`). */
export class SimpleRNN extends RNN {
  declare readonly cell: SimpleRNNCell;

  constructor(units: number, args: SimpleRNNArgs = {}) {
    const cell = new SimpleRNNCell(units, {
      ...args,
      name: "simple_rnn_cell",
      dtype: args.dtype,
      trainable: args.trainable ?? true,
      inputShape: undefined,
      activityRegularizer: null,
    });
    super(cell, args);
    this.inputSpec = [new InputSpec({ ndim: 3 })];
  }

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Record<string, unknown> {
    const c = recurrentLayerConfig(super.getConfig(), this.cell.getConfig(), this);
    delete c.seed; // Keras's SimpleRNN config has no seed.
    return c;
  }

  static override fromConfig(config: Record<string, unknown>): SimpleRNN {
    return new SimpleRNN(config.units as number, config);
  }
}
