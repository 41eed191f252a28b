import * as activations from "../../activations/index.js";
import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import * as constraints from "../../constraints/index.js";
import * as initializers from "../../initializers/index.js";
import { ones, zeros } from "../../ops/creation.js";
import { multiply } from "../../ops/elementwise.js";
import { matmul } from "../../ops/linalg.js";
import { concatenate, slice, split, tile } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { dropout as randomDropout } from "../../random/dropout.js";
import { SeedGenerator } from "../../random/seed_generator.js";
import * as regularizers from "../../regularizers/index.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";

/** Arguments shared by SimpleRNNCell, LSTMCell and GRUCell (Keras's names in camelCase). */
export interface RNNCellArgs extends LayerArgs {
  activation?: activations.ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: initializers.InitializerIdentifier;
  recurrentInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier | null;
  recurrentRegularizer?: regularizers.RegularizerIdentifier | null;
  biasRegularizer?: regularizers.RegularizerIdentifier | null;
  kernelConstraint?: constraints.ConstraintIdentifier | null;
  recurrentConstraint?: constraints.ConstraintIdentifier | null;
  biasConstraint?: constraints.ConstraintIdentifier | null;
  /** Fraction of the inputs dropped while training (one mask per call, shared by all timesteps). */
  dropout?: number;
  /** Fraction of the recurrent state dropped while training. */
  recurrentDropout?: number;
  seed?: number | null;
}

/** The call options of a cell: its states, as a list (or one tensor for single-state cells). */
export interface CellCallOptions extends CallOptions {
  states?: AnyTensor | AnyTensor[];
}

/**
 * How a cell runs over a whole sequence: `inputs` holds what `step` takes at each timestep (in
 * time order); `step` maps it and the previous states to `[output, newStates]`.
 */
export interface CellLoop {
  inputs: AnyTensor[];
  step(x: AnyTensor, states: AnyTensor[]): [AnyTensor, AnyTensor[]];
}

/** The interface RNN expects of a cell (Keras's: `stateSize`, optional `outputSize`, `call`). */
export interface RNNCellLike extends Layer {
  stateSize: number | number[];
  outputSize?: number;
  getInitialState?(batchSize: number): AnyTensor[];
  /** Built-in cells: the whole-sequence loop with the input projection done once (see CellLoop). */
  loop?(sequences: AnyTensor, time: number, batch: number, training: boolean): CellLoop;
}

export function isRNNCell(x: unknown): x is RNNCellLike {
  return x instanceof Layer && "stateSize" in x;
}

/**
 * The base of the built-in cells (Keras's DropoutRNNCell plus the arguments they share): weights
 * `kernel` [inputDim, gates*units], `recurrent_kernel` [units, gates*units] and `bias`.
 *
 * For speed, a cell runs a sequence through `loop`: the input projection `x · kernel + bias` of all
 * timesteps is one matmul on the time-major [time*batch, inputDim] sequence, so each step does only
 * the recurrent matmul and the gates. `call` (one step, Keras's `cell(inputs, states)`) is the same
 * loop over one timestep.
 */
export abstract class DropoutRNNCell extends Layer {
  readonly units: number;
  readonly activation: activations.Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: initializers.Initializer;
  readonly recurrentInitializer: initializers.Initializer;
  readonly biasInitializer: initializers.Initializer;
  readonly kernelRegularizer: regularizers.Regularizer | null;
  readonly recurrentRegularizer: regularizers.Regularizer | null;
  readonly biasRegularizer: regularizers.Regularizer | null;
  readonly kernelConstraint: constraints.Constraint | null;
  readonly recurrentConstraint: constraints.Constraint | null;
  readonly biasConstraint: constraints.Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  readonly _seedGenerator: SeedGenerator;
  abstract readonly stateSize: number | number[];
  abstract readonly outputSize: number;
  kernel!: Variable;
  recurrentKernel!: Variable;
  bias: Variable | null = null;

  constructor(units: number, args: RNNCellArgs = {}) {
    super(args);
    if (!Number.isInteger(units) || units <= 0) {
      throw new Error(
        `${this.describe()}: received an invalid value for argument \`units\`, expected a positive integer, got ${String(units)}.`,
      );
    }
    this.units = units;
    this.activation = activations.get(args.activation === undefined ? "tanh" : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializers.get(args.kernelInitializer ?? "glorot_uniform");
    this.recurrentInitializer = initializers.get(args.recurrentInitializer ?? "orthogonal");
    this.biasInitializer = initializers.get(args.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(args.kernelRegularizer ?? null);
    this.recurrentRegularizer = regularizers.get(args.recurrentRegularizer ?? null);
    this.biasRegularizer = regularizers.get(args.biasRegularizer ?? null);
    this.kernelConstraint = constraints.get(args.kernelConstraint ?? null);
    this.recurrentConstraint = constraints.get(args.recurrentConstraint ?? null);
    this.biasConstraint = constraints.get(args.biasConstraint ?? null);
    // Keras clips the rates into [0, 1].
    this.dropout = Math.min(1, Math.max(0, args.dropout ?? 0));
    this.recurrentDropout = Math.min(1, Math.max(0, args.recurrentDropout ?? 0));
    this.seed = args.seed ?? null;
    this._seedGenerator = new SeedGenerator(this.seed ?? undefined);
  }

  /** Columns of the kernels: 1 (SimpleRNN), 3 (GRU) or 4 (LSTM) blocks of `units`. */
  protected abstract get gates(): number;

  /** Creates `kernel` and `recurrent_kernel` (Keras's names, shapes and order); subclasses add `bias`. */
  protected buildKernels(inputShape: Nested<SpecShape>): void {
    const shape = inputShape as SpecShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null || inputDim === undefined) {
      throw new Error(
        `${this.describe()}: the last axis of the input (the features) must be known, received shape [${shape.join(", ")}].`,
      );
    }
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [inputDim, this.units * this.gates],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    this.recurrentKernel = this.addWeight({
      name: "recurrent_kernel",
      shape: [this.units, this.units * this.gates],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
      constraint: this.recurrentConstraint,
    });
  }

  /**
   * Dropout masks for one sequence, as Keras draws them at the start of each RNN call: `count`
   * masks of shape [batch, size] scaled by 1 / (1 - rate), or null when there is no dropout.
   */
  protected dropoutMasks(
    rate: number,
    count: number,
    batch: number,
    size: number,
    training: boolean,
  ): AnyTensor[] | null {
    if (!training || !(rate > 0 && rate < 1)) return null;
    const base = ones([batch, size], this.dtype);
    return Array.from({ length: count }, () => randomDropout(base, rate, { seed: this._seedGenerator }));
  }

  /**
   * `x · kernel` for the time-major sequence [time*batch, inputDim]; with per-gate input masks
   * (Keras's implementation 1 under recurrent dropout) each gate's block sees its own mask.
   */
  protected projectInputs(x: AnyTensor, time: number, masks: AnyTensor[] | null): AnyTensor {
    if (masks === null) return matmul(x, this.kernel);
    const tiled = masks.map((m) => (time === 1 ? m : tile(m, [time, 1])));
    if (tiled.length === 1) return matmul(multiply(x, tiled[0]), this.kernel);
    const inDim = this.kernel.shape[0];
    return concatenate(
      tiled.map((m, k) => matmul(multiply(x, m), slice(this.kernel, [0, k * this.units], [inDim, this.units]))),
      1,
    );
  }

  /** `h · recurrent_kernel`, per gate block when recurrent dropout masks are given. */
  protected recurrentProduct(h: AnyTensor, kernel: AnyTensor, masks: AnyTensor[] | null): AnyTensor {
    if (masks === null) return matmul(h, kernel);
    if (masks.length === 1) return matmul(multiply(h, masks[0]), kernel);
    const u = this.units;
    return concatenate(
      masks.map((m, k) => matmul(multiply(h, m), slice(kernel, [0, k * u], [u, u]))),
      1,
    );
  }

  /** Splits the projected sequence [time*batch, k] into its timesteps. */
  protected static timesteps(projected: AnyTensor, time: number): AnyTensor[] {
    return time === 1 ? [projected] : split(projected, time, 0);
  }

  abstract loop(sequences: AnyTensor, time: number, batch: number, training: boolean): CellLoop;

  /** One step (Keras's `cell(inputs, states)`): returns `[output, newStates]`. */
  override call(inputs: Nested<AnyTensor>, options: CellCallOptions): Nested<AnyTensor> {
    const x = inputs as AnyTensor;
    const given = options.states;
    if (given === undefined || given === null) {
      throw new Error(
        `${this.describe()}: a cell call needs its states: cell(inputs, { states: [${this.stateSizes().map((s) => `[batch, ${s}]`)}] }).`,
      );
    }
    const states = Array.isArray(given) ? given : [given];
    const sizes = this.stateSizes();
    if (states.length !== sizes.length) {
      throw new Error(`${this.describe()}: expected ${sizes.length} state tensor(s), received ${states.length}.`);
    }
    const batch = x.shape[0] ?? 1;
    const run = this.loop(x, 1, batch, options.training ?? false);
    const [out, next] = run.step(run.inputs[0], states);
    return [out, Array.isArray(given) ? next : next[0]];
  }

  stateSizes(): number[] {
    return typeof this.stateSize === "number" ? [this.stateSize] : this.stateSize.slice();
  }

  /** Zero states, one [batchSize, size] tensor per state. */
  getInitialState(batchSize: number): AnyTensor[] {
    return this.stateSizes().map((s) => zeros([batchSize, s], this.dtype));
  }

  /** The configuration every built-in cell shares, in Keras's key order. */
  protected baseCellConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
    };
  }

  protected weightsConfig(): Record<string, unknown> {
    return {
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      recurrentInitializer: initializers.serialize(this.recurrentInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer ? regularizers.serialize(this.kernelRegularizer) : null,
      recurrentRegularizer: this.recurrentRegularizer ? regularizers.serialize(this.recurrentRegularizer) : null,
      biasRegularizer: this.biasRegularizer ? regularizers.serialize(this.biasRegularizer) : null,
      kernelConstraint: this.kernelConstraint ? constraints.serialize(this.kernelConstraint) : null,
      recurrentConstraint: this.recurrentConstraint ? constraints.serialize(this.recurrentConstraint) : null,
      biasConstraint: this.biasConstraint ? constraints.serialize(this.biasConstraint) : null,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}
