import { plotHistory } from "../utils/plot_history.js";
import { Callback, type Logs } from "./callback.js";

/** Records every epoch's logs (Keras's History); fit() returns it. */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
  }

  /** Writes the loss and metrics per epoch as an SVG or PNG chart (keras.utils.plotHistory). */
  plot(options: Parameters<typeof plotHistory>[1] = {}): ReturnType<typeof plotHistory> {
    return plotHistory(this, options);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
