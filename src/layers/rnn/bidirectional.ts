import type { SpecShape } from "../../backend/shape.js";
import type { Variable } from "../../backend/variable.js";
import { add, divide, multiply } from "../../ops/elementwise.js";
import { concatenate, flip } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import { flatten, type Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs, type LayerInput } from "../layer.js";
import { GRU } from "./gru.js";
import { LSTM } from "./lstm.js";
import { applyWithInitialState, RNN, type RNNCallOptions, serializeLayer } from "./rnn.js";
import { SimpleRNN } from "./simple_rnn.js";

export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

export interface BidirectionalArgs extends LayerArgs {
  /** How the forward and backward outputs combine; null returns both. Default "concat". */
  mergeMode?: MergeMode;
  /** The layer for the backward direction (by default a copy of `layer` with goBackwards). */
  backwardLayer?: RNN | null;
}

const MERGE_MODES = ["concat", "sum", "mul", "ave", null];

/** Recurrent layer classes a Bidirectional can copy or rebuild from a config. */
const RNN_CLASSES: Record<string, { fromConfig(config: Record<string, unknown>): RNN }> = {
  RNN,
  SimpleRNN,
  LSTM,
  GRU,
};

function removePrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** A new layer from `layer`'s config with `overrides` (Keras serializes and deserializes it). */
function copyLayer(owner: string, layer: RNN, overrides: Record<string, unknown>): RNN {
  const cls = layer.constructor as unknown as { fromConfig?: (config: Record<string, unknown>) => RNN };
  if (typeof cls.fromConfig !== "function") {
    throw new Error(
      `${owner}: cannot copy ${layer.describe()}: its class has no static fromConfig(config). Give it one, or pass both directions' layers.`,
    );
  }
  return cls.fromConfig({ ...layer.getConfig(), ...overrides });
}

function deserializeRNN(owner: string, config: unknown): RNN {
  if (config instanceof RNN) return config;
  const { className, config: c } = config as { className: string; config: Record<string, unknown> };
  const cls = RNN_CLASSES[className];
  if (!cls) {
    throw new Error(
      `${owner}: unknown recurrent layer class '${className}'. Known: ${Object.keys(RNN_CLASSES).join(", ")}.`,
    );
  }
  return cls.fromConfig(c);
}

/**
 * Keras's Bidirectional: runs a copy of `layer` forwards (`forward_<name>`) and one backwards
 * (`backward_<name>`, or `backwardLayer`), re-reverses the backward output sequence and merges the
 * two. With returnState the result is `[output, ...forwardStates, ...backwardStates]`; initial
 * states are given the same way (forward half first).
 */
export class Bidirectional extends Layer {
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;
  readonly stateful: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(layer: RNN, args: BidirectionalArgs = {}) {
    super(args);
    if (!(layer instanceof Layer)) {
      throw new Error(
        `${this.describe()}: please initialize Bidirectional with a keras.layers.Layer instance, received ${String(layer)}.`,
      );
    }
    const backwardLayer = args.backwardLayer ?? null;
    if (backwardLayer !== null && !(backwardLayer instanceof Layer)) {
      throw new Error(
        `${this.describe()}: backwardLayer needs to be a keras.layers.Layer instance, received ${String(backwardLayer)}.`,
      );
    }
    const mergeMode = args.mergeMode === undefined ? "concat" : args.mergeMode;
    if (!MERGE_MODES.includes(mergeMode)) {
      throw new Error(
        `${this.describe()}: invalid merge mode, received ${JSON.stringify(mergeMode)}. Merge mode should be one of "sum", "mul", "ave", "concat", null.`,
      );
    }
    const forwardName = `forward_${removePrefix(layer.name, "forward_")}`;
    this.forwardLayer = copyLayer(this.describe(), layer, { name: forwardName });
    this.backwardLayer =
      backwardLayer ??
      copyLayer(this.describe(), layer, {
        goBackwards: true,
        name: `backward_${removePrefix(layer.name, "backward_")}`,
      });
    this.verifyLayerConfig();
    // As Keras: masked steps of each direction output zeros when sequences are returned.
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      if (typeof l.zeroOutputForMask === "boolean") l.zeroOutputForMask = l.returnSequences;
    }
    this.mergeMode = mergeMode;
    this.stateful = layer.stateful;
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.supportsMasking = false;
    this.inputSpec = layer.inputSpec;
  }

  private verifyLayerConfig(): void {
    const f = this.forwardLayer;
    const b = this.backwardLayer;
    if (f.goBackwards === b.goBackwards) {
      throw new Error(
        `${this.describe()}: forward layer and backward layer should have different goBackwards values, received forwardLayer.goBackwards=${f.goBackwards}, backwardLayer.goBackwards=${b.goBackwards}.`,
      );
    }
    for (const a of ["stateful", "returnSequences", "returnState"] as const) {
      if (f[a] !== b[a]) {
        throw new Error(
          `${this.describe()}: forward layer and backward layer are expected to have the same value for attribute "${a}", got ${f[a]} for the forward layer and ${b[a]} for the backward layer.`,
        );
      }
    }
  }

  /** The states of stateful directions (forward then backward), or null. */
  get states(): Variable[] | null {
    const f = this.forwardLayer.states;
    const b = this.backwardLayer.states;
    return f && b ? [...f, ...b] : null;
  }

  resetStates(): void {
    if (!this.stateful) throw new Error(`${this.describe()}: the layer must be stateful to reset its states.`);
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  resetState(): void {
    this.resetStates();
  }

  override apply(inputs: LayerInput, options: RNNCallOptions = {}): Nested<AnyTensor> {
    return applyWithInitialState(this, (a, o) => super.apply(a, o), inputs, options);
  }

  override build(inputShape: Nested<SpecShape>): void {
    const s = inputShape as unknown[];
    const shape = (Array.isArray(s[0]) ? s[0] : s) as SpecShape;
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      if (l.built) continue;
      l.build(shape);
      l.built = true;
      // Keras's paths nest both directions: "bidirectional/forward_lstm/lstm_cell/kernel".
      for (const v of [...l.weights, ...(l.states ?? [])]) v.path = `${this.name}/${v.path}`;
    }
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    let out = this.forwardLayer.computeOutputShape(inputShape);
    let stateShapes: SpecShape[] = [];
    if (this.returnState) {
      const all = out as SpecShape[];
      out = all[0];
      stateShapes = all.slice(1);
    }
    let output: Nested<SpecShape> = out;
    const o = out as SpecShape;
    if (this.mergeMode === "concat") {
      const last = o[o.length - 1];
      output = [...o.slice(0, -1), last === null ? null : last * 2];
    } else if (this.mergeMode === null) output = [o, o.slice()];
    if (!this.returnState) return output;
    const outs = this.mergeMode === null ? (output as SpecShape[]) : [output as SpecShape];
    return [...outs, ...stateShapes, ...stateShapes.map((x) => x.slice())];
  }

  override computeMask(
    _inputs: Nested<AnyTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<AnyTensor | null> | null {
    const m = mask === null ? null : (flatten(mask as Nested<AnyTensor | null>)[0] ?? null);
    const outMask = this.returnSequences ? m : null;
    const outputs: (AnyTensor | null)[] = this.mergeMode === null ? [outMask, outMask] : [outMask];
    if (!this.returnState) return this.mergeMode === null ? outputs : outMask;
    const states = 2 * this.forwardLayer.stateSize.length;
    return [...outputs, ...Array.from({ length: states }, () => null)];
  }

  override call(inputs: Nested<AnyTensor>, options: RNNCallOptions): Nested<AnyTensor> {
    let sequences = inputs as AnyTensor;
    let initialState: AnyTensor[] | null = null;
    if (Array.isArray(inputs)) {
      const [seq, ...rest] = inputs as AnyTensor[];
      sequences = seq;
      initialState = rest.length ? rest : null;
    }
    if (options.initialState) {
      initialState = Array.isArray(options.initialState) ? options.initialState : [options.initialState];
    }
    let mask: AnyTensor | null = null;
    if (options.mask !== undefined && options.mask !== null) {
      mask = flatten(options.mask as Nested<AnyTensor | null>)[0] ?? null;
    }
    let forwardState: AnyTensor[] | undefined;
    let backwardState: AnyTensor[] | undefined;
    if (initialState !== null) {
      const half = Math.floor(initialState.length / 2);
      forwardState = initialState.slice(0, half);
      backwardState = initialState.slice(half);
    }
    const opts: CallOptions = { training: options.training, mask };
    let y = this.forwardLayer(sequences as never, { ...opts, initialState: forwardState }) as Nested<AnyTensor>;
    let yRev = this.backwardLayer(sequences as never, { ...opts, initialState: backwardState }) as Nested<AnyTensor>;
    let states: AnyTensor[] = [];
    if (this.returnState) {
      const f = y as AnyTensor[];
      const b = yRev as AnyTensor[];
      states = [...f.slice(1), ...b.slice(1)];
      y = f[0];
      yRev = b[0];
    }
    let yr = yRev as AnyTensor;
    const yf = y as AnyTensor;
    if (this.returnSequences) yr = flip(yr, 1);
    let output: AnyTensor | AnyTensor[];
    switch (this.mergeMode) {
      case "concat":
        output = concatenate([yf, yr], -1);
        break;
      case "sum":
        output = add(yf, yr);
        break;
      case "ave":
        output = divide(add(yf, yr), 2);
        break;
      case "mul":
        output = multiply(yf, yr);
        break;
      default:
        output = [yf, yr];
    }
    if (!this.returnState) return output;
    return Array.isArray(output) ? [...output, ...states] : [output, ...states];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      mergeMode: this.mergeMode,
      layer: serializeLayer(this.forwardLayer),
      backwardLayer: serializeLayer(this.backwardLayer),
    };
  }

  /** Rebuilds a Bidirectional from `getConfig()` (built-in recurrent layers). */
  static fromConfig(config: Record<string, unknown>): Bidirectional {
    const { layer, backwardLayer, ...rest } = config;
    const owner = "Bidirectional.fromConfig";
    return new Bidirectional(deserializeRNN(owner, layer), {
      ...(rest as BidirectionalArgs),
      backwardLayer: backwardLayer ? deserializeRNN(owner, backwardLayer) : null,
    });
  }
}
