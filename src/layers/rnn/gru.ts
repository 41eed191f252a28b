import { InputSpec } from "../input_spec.js";
import { GRUCell, type GRUCellArgs } from "./gru_cell.js";
import { RNN, type RNNArgs } from "./rnn.js";
import { recurrentLayerConfig } from "./rnn_layer_config.js";

export interface GRUArgs extends GRUCellArgs, RNNArgs {}

/**
 * Keras's GRU (Cho et al., 2014): RNN(GRUCell) with Keras 3's defaults (resetAfter true); weights
 * on `layer.cell` (paths `gru/gru_cell/kernel`, `.../recurrent_kernel`, `.../bias`).
 */
export class GRU extends RNN {
  declare readonly cell: GRUCell;

  constructor(units: number, args: GRUArgs = {}) {
    const cell = new GRUCell(units, {
      ...args,
      name: "gru_cell",
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

  get resetAfter(): boolean {
    return this.cell.resetAfter;
  }

  override getConfig(): Record<string, unknown> {
    return recurrentLayerConfig(super.getConfig(), this.cell.getConfig(), this);
  }

  static override fromConfig(config: Record<string, unknown>): GRU {
    return new GRU(config.units as number, config);
  }
}
