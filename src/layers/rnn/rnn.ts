import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { Variable } from "../../backend/variable.js";
import { zeros, zerosLike } from "../../ops/creation.js";
import { cast, where } from "../../ops/elementwise.js";
import { reshape, split, stack, transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { flatten, type Nested } from "../../tree/index.js";
import { assertInputCompatibility } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs, type LayerInput } from "../layer.js";
import { type CellLoop, isRNNCell, type RNNCellLike } from "./dropout_rnn_cell.js";
import { GRUCell } from "./gru_cell.js";
import { LSTMCell } from "./lstm_cell.js";
import { SimpleRNNCell } from "./simple_rnn_cell.js";

export interface RNNArgs extends LayerArgs {
  /** Return the whole output sequence [batch, time, units] rather than the last output. */
  returnSequences?: boolean;
  /** Also return the final states: `[output, ...states]`. */
  returnState?: boolean;
  /** Process the sequence backwards (the output sequence is then in reversed order, as in Keras). */
  goBackwards?: boolean;
  /** Keep the last states of a batch as the initial states of the next (see `resetStates`). */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the loop always runs step by step. */
  unroll?: boolean;
  /** Output zeros (rather than the previous output) at masked timesteps. */
  zeroOutputForMask?: boolean;
}

/** Call options of recurrent layers. */
export interface RNNCallOptions extends CallOptions {
  /** Initial states: one tensor per state ([h, c] for LSTM), each [batch, stateSize]. */
  initialState?: AnyTensor | AnyTensor[] | null;
}

/** Cells `RNN.fromConfig` can rebuild by class name. */
const CELL_CLASSES: Record<string, (config: Record<string, unknown>) => RNNCellLike> = {
  SimpleRNNCell: (c) => new SimpleRNNCell(c.units as number, c),
  LSTMCell: (c) => new LSTMCell(c.units as number, c),
  GRUCell: (c) => new GRUCell(c.units as number, c),
};

/** `{ className, config }` of a layer (the same form as initializers' and regularizers' serialize). */
export function serializeLayer(layer: Layer): { className: string; config: Record<string, unknown> } {
  return { className: layer.constructor.name, config: layer.getConfig() };
}

/** The sequence and the initial states from a call's inputs (`x` or `[x, ...states]`). */
function unpackInputs(inputs: Nested<AnyTensor> | LayerInput): [AnyTensor, AnyTensor[] | null] {
  if (Array.isArray(inputs)) {
    const [seq, ...states] = inputs as AnyTensor[];
    return [seq, states.length ? states : null];
  }
  return [inputs as AnyTensor, null];
}

function firstShape(shapes: Nested<SpecShape>): SpecShape {
  const s = shapes as unknown[];
  return (Array.isArray(s[0]) ? s[0] : s) as SpecShape;
}

/**
 * Calls `apply` with the initial states inside the inputs (`[sequences, ...states]`), so that
 * symbolic initial states become inputs of the graph node as in Keras. The layer's input spec
 * applies to the sequences only.
 */
export function applyWithInitialState(
  layer: Layer,
  superApply: (inputs: LayerInput, options: CallOptions) => Nested<AnyTensor>,
  inputs: LayerInput,
  options: RNNCallOptions,
): Nested<AnyTensor> {
  const { initialState, ...rest } = options;
  let args = inputs;
  if (initialState !== undefined && initialState !== null) {
    const states = Array.isArray(initialState) ? initialState : [initialState];
    args = [inputs as AnyTensor, ...states];
  }
  if (!Array.isArray(args)) return superApply(args, rest);
  const spec = layer.inputSpec;
  const [seq] = unpackInputs(args);
  if (spec && (seq instanceof Tensor || seq instanceof SymbolicTensor)) {
    assertInputCompatibility(Array.isArray(spec) ? spec[0] : spec, [seq], layer);
  }
  // The spec was checked on the sequences: the states are unconstrained.
  layer.inputSpec = null;
  try {
    return superApply(args, rest);
  } finally {
    layer.inputSpec = spec;
  }
}

/**
 * Keras's RNN: runs `cell` over the time axis of [batch, time, ...features] inputs. The cell gives
 * `stateSize` (a number or one per state) and `call(x, { states })` returning `[output, newStates]`.
 * Masked timesteps (mask [batch, time] from the inputs or `Masking`/`Embedding({ maskZero })`) keep
 * the previous states and repeat the previous output (zeros before the first step, or always with
 * `zeroOutputForMask`), as Keras's backends do.
 */
export class RNN extends Layer {
  readonly cell: RNNCellLike;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  zeroOutputForMask: boolean;
  readonly stateSize: number[];
  /** State variables of a stateful layer (non-trainable, not among the weights, as in Keras). */
  _states: Variable[] | null = null;

  constructor(cell: RNNCellLike, args: RNNArgs = {}) {
    super(args);
    if (!isRNNCell(cell)) {
      throw new Error(
        `${this.describe()}: argument \`cell\` should be a layer with a \`stateSize\` (one number per state) and a call(inputs, { states }) method, received ${String(cell)}.`,
      );
    }
    const ss = cell.stateSize;
    if (!(typeof ss === "number" || (Array.isArray(ss) && ss.every((s) => typeof s === "number")))) {
      throw new Error(
        `${this.describe()}: the cell's stateSize must be a number or an array of numbers, received ${String(ss)}.`,
      );
    }
    this.cell = cell;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.stateSize = typeof ss === "number" ? [ss] : ss.slice();
    this.supportsMasking = false;
  }

  /** The stateful layer's current states (null unless stateful and built). */
  get states(): Variable[] | null {
    return this._states;
  }

  override apply(inputs: LayerInput, options: RNNCallOptions = {}): Nested<AnyTensor> {
    return applyWithInitialState(this, (a, o) => super.apply(a, o), inputs, options);
  }

  override build(inputShape: Nested<SpecShape>): void {
    const shape = firstShape(inputShape);
    if (shape.length < 3) {
      throw new Error(
        `${this.describe()}: expected inputs of rank >= 3 [batch, time, ...features], received shape ${shapeToString(shape)}.`,
      );
    }
    if (!this.cell.built) {
      try {
        this.cell.build([shape[0], ...shape.slice(2)]);
      } catch (e) {
        throw new Error(`${this.describe()}: ${(e as Error).message}`, { cause: e });
      }
      this.cell.built = true;
      // Keras's variable paths nest the cell under the layer: "lstm/lstm_cell/kernel".
      for (const v of this.cell.weights) v.path = `${this.name}/${v.path}`;
    }
    if (this.stateful) {
      const batch = shape[0];
      if (batch === null) {
        throw new Error(
          `${this.describe()}: when using stateful=true in a RNN, the batch size must be static. Found dynamic batch size: sequence.shape=${shapeToString(shape)}. Give the input a fixed batch size (e.g. Input({ batchShape: [32, ...] })).`,
        );
      }
      this._states = this.getInitialState(batch).map((s) => {
        const v = new Variable(s as Tensor, { trainable: false, name: "rnn_state", dtype: s.dtype });
        v.path = `${this.name}/rnn_state`;
        return v;
      });
    }
  }

  /** Zero initial states for a batch (the cell's `getInitialState` when it has one). */
  getInitialState(batchSize: number): AnyTensor[] {
    if (this.cell.getInitialState) return this.cell.getInitialState(batchSize);
    return this.stateSize.map((d) => zeros([batchSize, d], this.cell.dtype));
  }

  /** Sets the states of a stateful layer back to zeros (Keras's reset_states). */
  resetStates(): void {
    for (const v of this._states ?? []) v.assign(zerosLike(v.peek()));
  }

  resetState(): void {
    this.resetStates();
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const shape = firstShape(inputShape);
    const [batch, time] = shape;
    const outputSize = this.cell.outputSize ?? this.stateSize[0];
    const output: SpecShape = this.returnSequences ? [batch, time, outputSize] : [batch, outputSize];
    if (!this.returnState) return output;
    return [output, ...this.stateSize.map((s) => [batch, s])];
  }

  override computeMask(
    _inputs: Nested<AnyTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<AnyTensor | null> | null {
    const m = mask === null ? null : (flatten(mask as Nested<AnyTensor | null>)[0] ?? null);
    const outputMask = this.returnSequences ? m : null;
    if (this.returnState) return [outputMask, ...this.stateSize.map(() => null)];
    return outputMask;
  }

  override call(inputs: Nested<AnyTensor>, options: RNNCallOptions): Nested<AnyTensor> {
    let [sequences, initialState] = unpackInputs(inputs);
    if (options.initialState !== undefined && options.initialState !== null) {
      initialState = Array.isArray(options.initialState) ? options.initialState : [options.initialState];
    }
    if (sequences instanceof SymbolicTensor) {
      // Only reached when call() is used directly on symbolic tensors: shapes need no loop.
      const shapes = this.computeOutputShape(sequences.shape);
      const isShape = (s: unknown) => Array.isArray(s) && s.every((d) => d === null || typeof d === "number");
      const dtype = sequences.dtype;
      return (
        isShape(shapes)
          ? new SymbolicTensor((shapes as SpecShape).slice(), dtype)
          : (shapes as SpecShape[]).map((s) => new SymbolicTensor(s.slice(), dtype))
      ) as Nested<AnyTensor>;
    }
    const training = options.training ?? false;
    let mask = options.mask === undefined || options.mask === null ? null : options.mask;
    if (mask !== null) mask = flatten(mask as Nested<AnyTensor | null>)[0] ?? null;
    const x = sequences as Tensor;
    const [batch, time] = x.shape as number[];
    if (time === 0) {
      throw new Error(`${this.describe()}: received a sequence with 0 timesteps (shape ${shapeToString(x.shape)}).`);
    }
    const kernel = (this.cell as { kernel?: { shape: number[] } }).kernel;
    if (kernel && x.shape.length === 3 && x.shape[2] !== kernel.shape[0]) {
      throw new Error(
        `${this.describe()}: expected inputs with ${kernel.shape[0]} features (the layer was built for them), received shape ${shapeToString(x.shape)}.`,
      );
    }
    let states = this.initialStates(initialState, batch);

    // Time-major and flattened to [time*batch, ...features]: timestep t is rows t*batch ... (t+1)*batch-1.
    const feat = x.shape.slice(2);
    const perm = [1, 0, ...feat.map((_, i) => i + 2)];
    const seq = reshape(transpose(x, perm), [time * batch, ...feat]);
    const run: CellLoop = this.cell.loop
      ? this.cell.loop(seq, time, batch, training)
      : this.genericLoop(seq, time, training);

    const masks = mask === null ? null : this.stepMasks(mask as AnyTensor, x, batch, time);
    const outputs: AnyTensor[] = [];
    let prevOutput: AnyTensor | null = null;
    let zeroOut: AnyTensor | null = null;
    for (let k = 0; k < time; k++) {
      const t = this.goBackwards ? time - 1 - k : k;
      let [output, next] = run.step(run.inputs[t], states);
      if (next.length !== states.length) {
        throw new Error(
          `${this.describe()}: the cell returned ${next.length} state(s), expected ${states.length} (stateSize ${JSON.stringify(this.cell.stateSize)}).`,
        );
      }
      if (masks) {
        // Masked steps keep the states and repeat the previous output (zeros before any), as Keras.
        const m = masks[t];
        if (zeroOut === null) zeroOut = zerosLike(output);
        output = where(m, output, this.zeroOutputForMask || prevOutput === null ? zeroOut : prevOutput);
        next = next.map((s, i) => where(m, s, states[i]));
      }
      states = next;
      prevOutput = output;
      if (this.returnSequences) outputs.push(output);
    }
    if (this.stateful && this._states) {
      this._states.forEach((v, i) => {
        v.assign(states[i] as Tensor);
      });
    }
    const output = this.returnSequences ? stack(outputs, 1) : (prevOutput as AnyTensor);
    return this.returnState ? [output, ...states] : output;
  }

  /** The loop of a cell that only has `call(x, { states })`: one cell call per timestep. */
  private genericLoop(seq: AnyTensor, time: number, training: boolean): CellLoop {
    return {
      inputs: time === 1 ? [seq] : split(seq, time, 0),
      step: (x, states) => {
        const out = this.cell.call(x, { states, training }) as Nested<AnyTensor>;
        if (!Array.isArray(out) || out.length !== 2) {
          throw new Error(
            `${this.describe()}: the cell's call must return [output, newStates], received ${Array.isArray(out) ? `an array of ${out.length}` : String(out)}.`,
          );
        }
        const [o, s] = out as [AnyTensor, Nested<AnyTensor>];
        return [o, Array.isArray(s) ? (s as AnyTensor[]) : [s as AnyTensor]];
      },
    };
  }

  /** The initial states: given ones (checked), a stateful layer's, or zeros. */
  private initialStates(given: AnyTensor[] | null, batch: number): AnyTensor[] {
    if (given === null) {
      if (this.stateful && this._states) {
        const expected = this._states[0].shape[0];
        if (expected !== batch) {
          throw new Error(
            `${this.describe()}: if an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. Expected batch size: ${expected}, received batch size: ${batch}.`,
          );
        }
        return this._states.map((v) => v.value);
      }
      return this.getInitialState(batch);
    }
    if (given.length !== this.stateSize.length) {
      throw new Error(
        `${this.describe()}: expected ${this.stateSize.length} initial state tensor(s) of shape${this.stateSize.map((s) => ` [batch, ${s}]`)}, received ${given.length}.`,
      );
    }
    return given.map((s, i) => {
      const want = [batch, this.stateSize[i]];
      if (s.shape.length !== 2 || s.shape[0] !== batch || s.shape[1] !== want[1]) {
        throw new Error(
          `${this.describe()}: initial state ${i} must have shape ${shapeToString(want)}, received ${shapeToString(s.shape)}.`,
        );
      }
      return s.dtype === this.cell.dtype ? s : cast(s, this.cell.dtype);
    });
  }

  /** The mask of each timestep as a [batch, 1] boolean tensor. */
  private stepMasks(mask: AnyTensor, x: Tensor, batch: number, time: number): AnyTensor[] {
    if (mask.shape.length !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
      throw new Error(
        `${this.describe()}: the mask must have shape [batch, time] = ${shapeToString([batch, time])} for inputs of shape ${shapeToString(x.shape)}, received ${shapeToString(mask.shape)}.`,
      );
    }
    const m = mask.dtype === "bool" ? mask : cast(mask, "bool");
    const tm = reshape(transpose(m, [1, 0]), [time * batch, 1]);
    return time === 1 ? [tm] : split(tm, time, 0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zeroOutputForMask: this.zeroOutputForMask,
      cell: serializeLayer(this.cell),
    };
  }

  /** Rebuilds an RNN from `getConfig()` (built-in cells, or a cell instance in `config.cell`). */
  static fromConfig(config: Record<string, unknown>): RNN {
    const { cell, ...rest } = config;
    let c: RNNCellLike;
    if (isRNNCell(cell)) c = cell;
    else {
      const { className, config: cellConfig } = cell as { className: string; config: Record<string, unknown> };
      const make = CELL_CLASSES[className];
      if (!make) {
        throw new Error(
          `RNN.fromConfig: unknown cell class '${className}'; pass the cell instance as config.cell. Known: ${Object.keys(CELL_CLASSES).join(", ")}.`,
        );
      }
      c = make(cellConfig);
    }
    return new RNN(c, rest as RNNArgs);
  }
}
