import * as activations from "../../activations/index.js";
import type { DType } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Tensor } from "../../backend/tensor.js";
import * as initializers from "../../initializers/index.js";
import { add, multiply } from "../../ops/elementwise.js";
import { concatenate, split } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CellLoop, DropoutRNNCell, type RNNCellArgs } from "./dropout_rnn_cell.js";

export interface LSTMCellArgs extends RNNCellArgs {
  recurrentActivation?: activations.ActivationIdentifier;
  /** Adds 1 to the forget gate's bias at initialization (Jozefowicz et al.), as Keras does by default. */
  unitForgetBias?: boolean;
}

/**
 * Keras's LSTMCell. With z = x · kernel + h_prev · recurrent_kernel + bias split into the gate
 * blocks i, f, c, o (Keras's order): i = σ(z_i), f = σ(z_f), c = f * c_prev + i * tanh(z_c),
 * o = σ(z_o), h = o * tanh(c) (σ = recurrentActivation, tanh = activation). States [h, c].
 * Weights: kernel [inputDim, 4u], recurrent_kernel [u, 4u], bias [4u].
 */
export class LSTMCell extends DropoutRNNCell {
  readonly recurrentActivation: activations.Activation;
  readonly unitForgetBias: boolean;
  readonly stateSize: number[];
  readonly outputSize: number;

  constructor(units: number, args: LSTMCellArgs = {}) {
    super(units, args);
    this.recurrentActivation = activations.get(
      args.recurrentActivation === undefined ? "sigmoid" : args.recurrentActivation,
    );
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.stateSize = [units, units];
    this.outputSize = units;
  }

  protected get gates(): number {
    return 4;
  }

  override build(inputShape: Nested<SpecShape>): void {
    this.buildKernels(inputShape);
    if (!this.useBias) return;
    const u = this.units;
    const init = this.biasInitializer;
    // Keras: [init(u), ones(u), init(2u)] so that the forget gate starts open.
    const initializer = this.unitForgetBias
      ? (_shape: number[], dtype: DType) =>
          concatenate(
            [init.call([u], dtype), initializers.get("ones").call([u], dtype), init.call([2 * u], dtype)],
            0,
          ) as Tensor
      : init;
    this.bias = this.addWeight({
      name: "bias",
      shape: [4 * u],
      initializer,
      regularizer: this.biasRegularizer,
      constraint: this.biasConstraint,
    });
  }

  loop(sequences: AnyTensor, time: number, batch: number, training: boolean): CellLoop {
    // Keras switches to per-gate masks (implementation 1) when there is recurrent dropout.
    const rdp = this.dropoutMasks(this.recurrentDropout, 4, batch, this.units, training);
    const dp = this.dropoutMasks(this.dropout, rdp ? 4 : 1, batch, this.kernel.shape[0], training);
    let xp = this.projectInputs(sequences, time, dp);
    if (this.bias) xp = add(xp, this.bias);
    const rk = this.recurrentKernel.value;
    const act = this.activation;
    const ract = this.recurrentActivation;
    return {
      inputs: DropoutRNNCell.timesteps(xp, time),
      step: (x, [h, c]) => {
        const [zi, zf, zc, zo] = split(add(x, this.recurrentProduct(h, rk, rdp)), 4, 1);
        const i = ract(zi);
        const f = ract(zf);
        const cNew = add(multiply(f, c), multiply(i, act(zc)));
        const o = ract(zo);
        const hNew = multiply(o, act(cNew));
        return [hNew, [hNew, cNew]];
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    const { dropout, recurrentDropout, ...weights } = this.weightsConfig();
    return {
      ...this.baseCellConfig(),
      recurrentActivation: activations.serialize(this.recurrentActivation),
      useBias: this.useBias,
      unitForgetBias: this.unitForgetBias,
      ...weights,
      dropout,
      recurrentDropout,
      seed: this.seed,
    };
  }
}
