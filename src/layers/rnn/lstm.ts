import { InputSpec } from "../input_spec.js";
import { LSTMCell, type LSTMCellArgs } from "./lstm_cell.js";
import { RNN, type RNNArgs } from "./rnn.js";
import { recurrentLayerConfig } from "./rnn_layer_config.js";

export interface LSTMArgs extends LSTMCellArgs, RNNArgs {}

/**
 * Keras's LSTM (Hochreiter & Schmidhuber, 1997): RNN(LSTMCell) with Keras 3's defaults; weights on
 * `layer.cell` (paths `lstm/lstm_cell/kernel`, `.../recurrent_kernel`, `.../bias`).
 */
export class LSTM extends RNN {
  declare readonly cell: LSTMCell;

  constructor(units: number, args: LSTMArgs = {}) {
    const cell = new LSTMCell(units, {
      ...args,
      name: "lstm_cell",
      dtype: args.dtype,
      trainable: args.trainable ?? true,
      inputShape: undefined,
      activityRegularizer: null,
    });
    super(cell, args);
    this.inputSpec = new InputSpec({ ndim: 3 });
  }

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Record<string, unknown> {
    return recurrentLayerConfig(super.getConfig(), this.cell.getConfig(), this);
  }

  static override fromConfig(config: Record<string, unknown>): LSTM {
    return new LSTM(config.units as number, config);
  }
}
