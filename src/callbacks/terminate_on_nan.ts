import type { Tensor } from "../backend/tensor.js";
import { Callback, type CallbackOptimizer, type Logs } from "./callback.js";
import { pyFloatRepr } from "./format.js";
import { type PrintFn, printMsg } from "./io.js";

export interface TerminateOnNaNOptions {
  /** Throw instead of stopping cleanly (other callbacks' onTrainEnd then does not run). */
  raiseError?: boolean;
  printFn?: PrintFn;
}

/**
 * Ends training when a batch's loss is NaN or infinite (Keras's TerminateOnNaN), leaving the model
 * with the weights of the last good step: the weights (and optimizer state) are snapshotted before
 * each batch, which costs only references since tensors are never written in place, and restored
 * when the loss is bad.
 */
export class TerminateOnNaN extends Callback {
  raiseError: boolean;
  private readonly print: PrintFn;
  private weights: Tensor[] | null = null;
  private optimizerState: [{ assign(value: Tensor): unknown }, Tensor][] = [];

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    this.raiseError = options.raiseError ?? false;
    this.print = options.printFn ?? printMsg;
  }

  private optimizerVariables() {
    const opt = this.model?.optimizer as CallbackOptimizer | null | undefined;
    if (!opt) return [];
    const all = opt.optimizers ?? [opt];
    return all.flatMap((o) => o.variables ?? []);
  }

  override onTrainBatchBegin(): void {
    this.weights = this.model!.getWeights();
    this.optimizerState = this.optimizerVariables().map((v) => [v, v.peek()]);
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    const loss = logs?.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    this.restore();
    if (this.raiseError) {
      throw new Error(
        `NaN or Inf loss encountered at batch ${batch}. Loss value: ${pyFloatRepr(loss)}. Terminating training immediately.`,
      );
    }
    this.print(`Batch ${batch}: Invalid loss, terminating training`);
    this.model!.stopTraining = true;
  }

  /** Puts back the weights and optimizer state from before the bad batch. */
  private restore(): void {
    if (this.weights !== null) this.model!.setWeights(this.weights);
    // Slots first created by the bad step itself (lazy build) are not in the snapshot.
    for (const [v, t] of this.optimizerState) v.assign(t);
  }
}
