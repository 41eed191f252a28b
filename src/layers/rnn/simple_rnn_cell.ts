import type { SpecShape } from "../../backend/shape.js";
import { add } from "../../ops/elementwise.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CellLoop, DropoutRNNCell, type RNNCellArgs } from "./dropout_rnn_cell.js";

export type SimpleRNNCellArgs = RNNCellArgs;

/**
 * Keras's SimpleRNNCell: `h = activation(x · kernel + bias + h_prev · recurrent_kernel)`.
 * Weights: kernel [inputDim, units], recurrent_kernel [units, units], bias [units].
 */
export class SimpleRNNCell extends DropoutRNNCell {
  readonly stateSize: number;
  readonly outputSize: number;

  constructor(units: number, args: SimpleRNNCellArgs = {}) {
    super(units, args);
    this.stateSize = units;
    this.outputSize = units;
  }

  protected get gates(): number {
    return 1;
  }

  override build(inputShape: Nested<SpecShape>): void {
    this.buildKernels(inputShape);
    if (this.useBias) {
      this.bias = this.addWeight({
        name: "bias",
        shape: [this.units],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    }
  }

  loop(sequences: AnyTensor, time: number, batch: number, training: boolean): CellLoop {
    const inDim = this.kernel.shape[0];
    const dp = this.dropoutMasks(this.dropout, 1, batch, inDim, training);
    const rdp = this.dropoutMasks(this.recurrentDropout, 1, batch, this.units, training);
    let xp = this.projectInputs(sequences, time, dp);
    if (this.bias) xp = add(xp, this.bias);
    const rk = this.recurrentKernel.value;
    return {
      inputs: DropoutRNNCell.timesteps(xp, time),
      step: (x, [h]) => {
        const out = this.activation(add(x, this.recurrentProduct(h, rk, rdp)));
        return [out, [out]];
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.baseCellConfig(), useBias: this.useBias, ...this.weightsConfig(), seed: this.seed };
  }
}
