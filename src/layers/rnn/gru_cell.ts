import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import { add, multiply, subtract } from "../../ops/elementwise.js";
import { reshape, slice, split } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CellLoop, DropoutRNNCell, type RNNCellArgs } from "./dropout_rnn_cell.js";

export interface GRUCellArgs extends RNNCellArgs {
  recurrentActivation?: activations.ActivationIdentifier;
  /** Applies the reset gate after the recurrent matmul (Keras 3's and cuDNN's default) rather than before. */
  resetAfter?: boolean;
}

/**
 * Keras's GRUCell, gate blocks in Keras's order z (update), r (reset), h (candidate):
 * z = σ(x_z + h_prev · U_z), r = σ(x_r + h_prev · U_r),
 * hh = tanh(x_h + r * (h_prev · U_h + b'_h)) with resetAfter, tanh(x_h + (r * h_prev) · U_h) without,
 * h = z * h_prev + (1 - z) * hh. Weights: kernel [inputDim, 3u], recurrent_kernel [u, 3u], bias
 * [2, 3u] (input and recurrent biases) with resetAfter, [3u] without.
 */
export class GRUCell extends DropoutRNNCell {
  readonly recurrentActivation: activations.Activation;
  readonly resetAfter: boolean;
  readonly stateSize: number;
  readonly outputSize: number;

  constructor(units: number, args: GRUCellArgs = {}) {
    super(units, args);
    this.recurrentActivation = activations.get(
      args.recurrentActivation === undefined ? "sigmoid" : args.recurrentActivation,
    );
    this.resetAfter = args.resetAfter ?? true;
    this.stateSize = units;
    this.outputSize = units;
  }

  protected get gates(): number {
    return 3;
  }

  override build(inputShape: Nested<SpecShape>): void {
    this.buildKernels(inputShape);
    if (!this.useBias) return;
    this.bias = this.addWeight({
      name: "bias",
      shape: this.resetAfter ? [2, 3 * this.units] : [3 * this.units],
      initializer: this.biasInitializer,
      regularizer: this.biasRegularizer,
      constraint: this.biasConstraint,
    });
  }

  loop(sequences: AnyTensor, time: number, batch: number, training: boolean): CellLoop {
    const u = this.units;
    const rdp = this.dropoutMasks(this.recurrentDropout, 3, batch, u, training);
    const dp = this.dropoutMasks(this.dropout, rdp ? 3 : 1, batch, this.kernel.shape[0], training);
    let inputBias: AnyTensor | null = null;
    let recurrentBias: AnyTensor | null = null;
    if (this.bias) {
      if (this.resetAfter) {
        const [b0, b1] = split(this.bias, 2, 0);
        inputBias = reshape(b0, [3 * u]);
        recurrentBias = reshape(b1, [3 * u]);
      } else inputBias = this.bias.value;
    }
    let xp = this.projectInputs(sequences, time, dp);
    if (inputBias) xp = add(xp, inputBias);
    const rk = this.recurrentKernel.value;
    const act = this.activation;
    const ract = this.recurrentActivation;
    const mix = (z: AnyTensor, h: AnyTensor, hh: AnyTensor) => add(multiply(z, h), multiply(subtract(1, z), hh));

    if (this.resetAfter) {
      return {
        inputs: DropoutRNNCell.timesteps(xp, time),
        step: (x, [h]) => {
          let inner = this.recurrentProduct(h, rk, rdp);
          if (recurrentBias) inner = add(inner, recurrentBias);
          const [xz, xr, xh] = split(x, 3, 1);
          const [hz, hr, hh0] = split(inner, 3, 1);
          const z = ract(add(xz, hz));
          const r = ract(add(xr, hr));
          const hNew = mix(z, h, act(add(xh, multiply(r, hh0))));
          return [hNew, [hNew]];
        },
      };
    }
    // Reset before the matmul: the candidate's recurrent product needs r first.
    const rkZR = slice(rk, [0, 0], [u, 2 * u]);
    const rkH = slice(rk, [0, 2 * u], [u, u]);
    const maskZR = rdp ? rdp.slice(0, 2) : null;
    return {
      inputs: DropoutRNNCell.timesteps(xp, time),
      step: (x, [h]) => {
        const [xz, xr, xh] = split(x, 3, 1);
        const [hz, hr] = split(this.recurrentProduct(h, rkZR, maskZR), 2, 1);
        const z = ract(add(xz, hz));
        const r = ract(add(xr, hr));
        const hIn = rdp ? multiply(h, rdp[2]) : h;
        const hNew = mix(z, h, act(add(xh, this.recurrentProduct(multiply(r, hIn), rkH, null))));
        return [hNew, [hNew]];
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...this.baseCellConfig(),
      recurrentActivation: activations.serialize(this.recurrentActivation),
      useBias: this.useBias,
      ...this.weightsConfig(),
      resetAfter: this.resetAfter,
      seed: this.seed,
    };
  }
}
