/**
 * The optimizer base class, after Keras 3's keras/src/optimizers/base_optimizer.py: iterations and
 * learning-rate variables, lazily built slot variables named and ordered as Keras names and orders
 * them, null-gradient filtering, clipping, decoupled weight decay, variable constraints and EMA.
 * Each subclass's update runs as one fused kernel per variable (src/backend/cpu/optimizers.ts).
 */
import "../backend/cpu/optimizers.js";
import { type DType, isFloat } from "../backend/dtypes.js";
import { recycleBuffers, recyclingEnabled } from "../backend/buffer_pool.js";
import { kernels } from "../backend/kernels.js";
import { shapeToString, shapesEqual } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import type { TensorData } from "../backend/convert.js";
import { Variable } from "../backend/variable.js";
import { multiply } from "../ops/elementwise.js";
import type { TensorInput, Out } from "../ops/types.js";
import { toSnakeCase, uniqueName } from "../utils/naming.js";
import { clipByGlobalNorm, clipByNorm, clipByValue, scaleTensor } from "./clipping.js";
import { isKerasObjectConfig, type KerasObjectConfig } from "./config_keys.js";
import { SlotVariable } from "./slot_variable.js";
import { deserialize as deserializeSchedule, serialize as serializeSchedule } from "./schedules/index.js";
import { LearningRateSchedule } from "./schedules/learning_rate_schedule.js";

/** A fixed rate, a schedule, or a function of the step (the number of updates applied so far). */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

/** Keras 3's BaseOptimizer keyword arguments, camelCase. */
export interface OptimizerArgs {
  learningRate?: LearningRate | KerasObjectConfig;
  /** Decoupled weight decay: `v -= v * weightDecay * lr` before each update. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number | null;
  /** Keep an exponential moving average of the trained variables. */
  useEma?: boolean;
  emaMomentum?: number;
  /** Every this many steps, overwrite the variables with their moving averages. */
  emaOverwriteFrequency?: number | null;
  /** Gradients are divided by this before the update (the loss having been multiplied by it). */
  lossScaleFactor?: number | null;
  /** Not supported yet: must stay null. */
  gradientAccumulationSteps?: number | null;
  name?: string;
}

/** Either the learning rate (Keras's first positional argument) or the options object. */
export function splitArgs<A extends OptimizerArgs>(first: LearningRate | A | undefined, rest: A | undefined): A {
  if (first === undefined) return { ...(rest ?? {}) } as A;
  if (typeof first === "number" || typeof first === "function" || first instanceof LearningRateSchedule) {
    return { ...(rest ?? {}), learningRate: first } as A;
  }
  return { ...first, ...(rest ?? {}) };
}

const optional = (x: number | null | undefined): number | null => (x === undefined ? null : x);

/** `p - p * decay` (Keras's `_apply_weight_decay` with decay = weightDecay * lr) into a new tensor. */
function weightDecayed(p: Tensor, decay: number): Tensor {
  const out = Tensor.empty(p.shape, p.dtype);
  const P = p.data;
  const O = out.data;
  for (let i = 0; i < P.length; i++) O[i] = P[i] - P[i] * decay;
  return out;
}

export abstract class Optimizer {
  /** Keras's class name ("Adam"), used for naming, errors and serialization. */
  static className = "Optimizer";

  readonly name: string;
  weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  readonly useEma: boolean;
  readonly emaMomentum: number;
  readonly emaOverwriteFrequency: number | null;
  readonly lossScaleFactor: number | null;
  readonly gradientAccumulationSteps: number | null;
  /** The number of updates applied so far (Keras's `iterations`, a non-trainable int32 variable). */
  readonly iterations: Variable;
  built = false;

  private _learningRate: Variable | LearningRateSchedule | ((step: number) => number);
  private readonly _variables: Variable[] = [];
  private _trainableVariables: Variable[] = [];
  private readonly _index = new Map<Variable, number>();
  private _averages: Variable[] = [];
  private _excludeIds = new Set<Variable>();
  private _excludePattern: RegExp | null = null;
  private _warnedMissing = false;
  /** Set by applyOwned: the gradients are this optimizer's to consume. */
  private _gradientsOwned = false;
  /** The gradient the current update may write the variable's new value into (see out()). */
  private _ownedGradient: Tensor | null = null;

  constructor(args: OptimizerArgs & { learningRate: LearningRate | KerasObjectConfig }) {
    const cls = this.className;
    this.name = args.name ?? uniqueName(toSnakeCase(cls));
    this.weightDecay = optional(args.weightDecay);
    this.clipnorm = optional(args.clipnorm);
    this.clipvalue = optional(args.clipvalue);
    this.globalClipnorm = optional(args.globalClipnorm);
    this.useEma = args.useEma ?? false;
    this.emaMomentum = args.emaMomentum ?? 0.99;
    this.emaOverwriteFrequency = optional(args.emaOverwriteFrequency);
    this.lossScaleFactor = optional(args.lossScaleFactor);
    this.gradientAccumulationSteps = optional(args.gradientAccumulationSteps);
    if (this.gradientAccumulationSteps !== null) {
      throw new Error(`${cls}: gradientAccumulationSteps is not supported yet; leave it null.`);
    }
    if (this.useEma) {
      if (!(this.emaMomentum >= 0 && this.emaMomentum <= 1)) {
        throw new Error(
          `${cls}: \`emaMomentum\` must be in the range [0, 1]. Received: emaMomentum=${this.emaMomentum}`,
        );
      }
      const f = this.emaOverwriteFrequency;
      if (f !== null && f !== 0 && !(Number.isInteger(f) && f >= 1)) {
        throw new Error(
          `${cls}: \`emaOverwriteFrequency\` must be an integer >= 1 or null. Received: emaOverwriteFrequency=${f}`,
        );
      }
    }
    const clips = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((c) => c !== null).length;
    if (clips > 1) {
      throw new Error(
        `${cls}: only one of \`clipnorm\`, \`clipvalue\` and \`globalClipnorm\` can be set. Received: clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`,
      );
    }

    this.iterations = this.addVariable([], { dtype: "int32", name: "iteration" });

    let lr = args.learningRate;
    if (isKerasObjectConfig(lr)) lr = deserializeSchedule(lr);
    if (lr instanceof LearningRateSchedule || typeof lr === "function") {
      this._learningRate = lr;
    } else {
      if (typeof lr !== "number" || !Number.isFinite(lr)) {
        throw new Error(
          `${cls}: argument \`learningRate\` should be a number, a LearningRateSchedule or a function of the step. Received instead: learningRate=${String(lr)}`,
        );
      }
      this._learningRate = this.addVariable([], { initializer: lr, dtype: "float32", name: "learning_rate" });
    }
  }

  /** The class name Keras knows this optimizer by. */
  get className(): string {
    return (this.constructor as typeof Optimizer).className;
  }

  // ---------------------------------------------------------------------------------------------
  // Variables

  /** Every optimizer variable, in Keras's order: iteration, learning_rate (for a fixed rate), then the slots as built. */
  get variables(): Variable[] {
    return this._variables.slice();
  }

  /** The model variables this optimizer was built for. */
  get trainableVariables(): Variable[] {
    return this._trainableVariables.slice();
  }

  /** A new non-trainable variable tracked by this optimizer, its path under the optimizer's name. */
  addVariable(shape: number[], options: { initializer?: number; dtype?: DType; name?: string } = {}): Variable {
    const dtype = options.dtype ?? "float32";
    const init = Tensor.empty(shape, dtype);
    if (options.initializer) init.data.fill(options.initializer);
    const name = options.name ?? "variable";
    const v = new SlotVariable(init, { trainable: false, name, dtype });
    v.path = `${this.name}/${name}`;
    this._variables.push(v);
    return v;
  }

  /** A variable shaped like `reference`, named `<reference path with _>_<name>` as Keras names it. */
  addVariableFromReference(reference: Variable, name = "var", initializer = 0): Variable {
    return this.addVariable(reference.shape.slice(), {
      initializer,
      dtype: reference.dtype,
      name: `${reference.path.replaceAll("/", "_")}_${name}`,
    });
  }

  /**
   * One slot per variable for each of `names`, created variable by variable (interleaved, as Keras's
   * `add_optimizer_variables` does); returns one list per name.
   */
  addOptimizerVariables(variables: readonly Variable[], names: string[], initializer = 0): Variable[][] {
    const lists: Variable[][] = names.map(() => []);
    for (const v of variables) {
      names.forEach((n, i) => {
        lists[i].push(this.addVariableFromReference(v, n, initializer));
      });
    }
    return lists;
  }

  /** Creates the slot variables for `variables` (done on the first `apply` when not called before). */
  build(variables: readonly Variable[]): void {
    if (this.built) return;
    variables.forEach((v, i) => {
      this._index.set(v, i);
    });
    if (this.useEma) this._averages = variables.map((v) => this.addVariableFromReference(v, "average"));
    this._trainableVariables = variables.slice();
    this.built = true;
  }

  /** The position of `variable` in the list the optimizer was built with. */
  protected variableIndex(variable: Variable): number {
    const i = this._index.get(variable);
    if (i === undefined) throw new Error(`${this.className}: unknown variable ${variable.path}.`);
    return i;
  }

  // ---------------------------------------------------------------------------------------------
  // Learning rate

  /** The current learning rate (the schedule or function evaluated at `iterations`), rounded to float32. */
  get learningRate(): number {
    const lr = this._learningRate;
    if (lr instanceof Variable) return this.read(lr).data[0];
    const step = this.step;
    return Math.fround(lr instanceof LearningRateSchedule ? lr.call(step) : lr(step));
  }

  /** Sets a fixed rate (ReduceLROnPlateau, LearningRateScheduler), or replaces it with a schedule or function. */
  set learningRate(value: LearningRate) {
    const prev = this._learningRate;
    if (value instanceof LearningRateSchedule || typeof value === "function") {
      this._learningRate = value;
      if (prev instanceof Variable) {
        const i = this._variables.indexOf(prev);
        if (i >= 0) this._variables.splice(i, 1);
      }
      return;
    }
    if (!(prev instanceof Variable)) {
      throw new TypeError(
        `${this.className}: this optimizer was created with a ${prev instanceof LearningRateSchedule ? "LearningRateSchedule" : "function"} as its learning rate, hence its learning rate is not settable to a number. Create the optimizer with a number \`learningRate\` to set it.`,
      );
    }
    if (typeof value !== "number") {
      throw new TypeError(
        `${this.className}: learningRate must be a number, a schedule or a function, received ${String(value)}.`,
      );
    }
    prev.assign(value);
  }

  /** The raw learning rate: the float32 variable, the schedule or the function. */
  get learningRateSource(): Variable | LearningRateSchedule | ((step: number) => number) {
    return this._learningRate;
  }

  /** `iterations` as a number. */
  protected get step(): number {
    return (this.iterations as SlotVariable).current().data[0];
  }

  // ---------------------------------------------------------------------------------------------
  // Weight decay

  /** Exclude variables (or variables whose name matches any of `varNames`) from weight decay; before building. */
  excludeFromWeightDecay(options: { varList?: Variable[]; varNames?: string[] } = {}): void {
    if (this.built) {
      throw new Error(
        `${this.className}: excludeFromWeightDecay() can only be configured before the optimizer is built.`,
      );
    }
    this._excludeIds = new Set(options.varList ?? []);
    const names = options.varNames ?? [];
    this._excludePattern = names.length > 0 ? new RegExp(names.join("|")) : null;
  }

  private useWeightDecay(v: Variable): boolean {
    if (this._excludeIds.has(v)) return false;
    return !this._excludePattern?.test(v.name);
  }

  // ---------------------------------------------------------------------------------------------
  // Updates

  /** Multiplies the loss by `lossScaleFactor` (when set) before gradients are taken. */
  scaleLoss<A extends TensorInput>(loss: A): A | Out<A> {
    return this.lossScaleFactor === null ? loss : (multiply(loss, this.lossScaleFactor) as Out<A>);
  }

  /** `apply` on (gradient, variable) pairs; returns `iterations`. */
  applyGradients(pairs: readonly (readonly [Tensor | null, Variable])[]): Variable {
    this.apply(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
    return this.iterations;
  }

  /**
   * Updates `variables` (default: those the optimizer was built with) from `grads`, one per variable.
   * Null gradients are skipped. Everything is checked before any variable changes.
   */
  apply(grads: readonly (Tensor | null)[], variables?: readonly Variable[]): void {
    const cls = this.className;
    if (grads.length === 0) return;
    let vars: Variable[];
    if (variables === undefined) {
      if (!this.built) {
        throw new Error(
          `${cls}.apply: when passing gradients without variables, the optimizer must already be built on a list of variables. Call optimizer.build(trainableVariables) first.`,
        );
      }
      if (grads.length !== this._trainableVariables.length) {
        throw new Error(
          `${cls}.apply: received ${grads.length} gradients, but the optimizer is tracking ${this._trainableVariables.length} trainable variables; pass one gradient per variable.`,
        );
      }
      vars = this._trainableVariables;
    } else {
      vars = variables.slice();
      if (grads.length !== vars.length) {
        throw new Error(`${cls}.apply: received ${grads.length} gradients for ${vars.length} variables.`);
      }
      if (!this.built) this.build(vars);
      for (const v of vars) {
        if (!this._index.has(v)) {
          throw new Error(
            `${cls}.apply: unknown variable ${v.toString()}. This optimizer can only be called for the variables it was originally built with. When working with a new set of variables, create a new optimizer instance.`,
          );
        }
      }
    }

    // Filter empty gradients and validate the rest before touching anything.
    let gs: Tensor[] = [];
    const vs: Variable[] = [];
    const missing: string[] = [];
    grads.forEach((g, i) => {
      const v = vars[i];
      if (g === null || g === undefined) {
        missing.push(v.path);
        return;
      }
      if (!isFloat(v.dtype)) {
        throw new TypeError(
          `${cls} '${this.name}': variable '${v.path}' has dtype ${v.dtype}; only float variables can be trained.`,
        );
      }
      if (!shapesEqual(g.shape, v.shape)) {
        throw new Error(
          `${cls} '${this.name}': the gradient for variable '${v.path}' has shape ${shapeToString(g.shape)}, but the variable has shape ${shapeToString(v.shape)}.`,
        );
      }
      gs.push(g);
      vs.push(v);
    });
    if (gs.length === 0) throw new Error(`${cls}.apply: no gradients provided for any variable.`);
    if (missing.length > 0 && !this._warnedMissing) {
      this._warnedMissing = true;
      console.warn(
        `${cls}: gradients do not exist for variables [${missing.join(", ")}] when minimizing the loss. If using model.compile(), did you forget to provide a \`loss\` argument?`,
      );
    }

    if (this.lossScaleFactor !== null) gs = gs.map((g) => scaleTensor(g, 1 / (this.lossScaleFactor as number)));
    gs = this.clipGradients(gs);

    const lr = this.learningRate;
    const wd = this.weightDecay;
    this.beforeUpdates(lr);
    const writable =
      this._gradientsOwned && this.updatesIntoGradient && recyclingEnabled() ? exclusiveBuffers(gs) : null;
    const dead: Tensor[] = [];
    for (let i = 0; i < gs.length; i++) {
      const v = vs[i];
      let decay = wd !== null && this.useWeightDecay(v) ? wd * lr : 0;
      if (decay !== 0 && !this.fusesWeightDecay) {
        v.assign(weightDecayed(v.peek(), decay));
        decay = 0;
      }
      this._ownedGradient = writable?.[i] && gs[i].dtype === v.dtype ? gs[i] : null;
      const offered = this._ownedGradient !== null;
      this.updateStep(gs[i], v, lr, decay);
      // Taken by out(): the gradient's memory now holds v's value.
      if (!(offered && this._ownedGradient === null)) dead.push(gs[i]);
    }
    this._ownedGradient = null;
    // Owned gradients not written into are dead: their memory serves the next step's gradients.
    if (this._gradientsOwned) recycleBuffers(dead.map((g) => g.data));
    if (this.useEma) this.updateAverages();
    for (const v of vs) if (v.constraint) v.assign(v.constraint(v.peek()));
    (this.iterations as SlotVariable).store(new Tensor(Int32Array.of(this.step + 1), [], "int32"));
  }

  private clipGradients(gs: Tensor[]): Tensor[] {
    if (this.clipnorm !== null && this.clipnorm > 0) {
      const c = this.clipnorm;
      return gs.map((g) => clipByNorm(g, c));
    }
    if (this.globalClipnorm !== null && this.globalClipnorm > 0) return clipByGlobalNorm(gs, this.globalClipnorm);
    if (this.clipvalue !== null && this.clipvalue > 0) {
      const c = this.clipvalue;
      return gs.map((g) => clipByValue(g, c));
    }
    return gs;
  }

  /**
   * True when `updateStep` applies `v -= v * decay` itself (the built-in fused kernels do); a
   * subclass that leaves it false gets the weight decay applied before its `updateStep`, with decay 0.
   */
  protected get fusesWeightDecay(): boolean {
    return false;
  }

  /** Runs once per `apply` before the per-variable updates (Nadam keeps its running product here). */
  protected beforeUpdates(_learningRate: number): void {}

  /**
   * Updates one variable and its slots from its (clipped) gradient. `decay` is `weightDecay * lr`
   * for this variable, or 0; the fused kernels apply `v -= v * decay` before the update.
   */
  protected abstract updateStep(gradient: Tensor, variable: Variable, learningRate: number, decay: number): void;

  /**
   * The tensor a kernel writes `v`'s new value into: the current one when nothing outside holds it
   * (Variable.exposed; the kernels are element-wise, so updating in place is safe), else the owned
   * gradient's memory for a model variable, else a fresh one. Fresh ones are not zero-filled:
   * every update kernel writes every element.
   */
  protected out(v: Variable): Tensor {
    const t = this.outTensor(v);
    this._outs.add(t);
    return t;
  }

  private outTensor(v: Variable): Tensor {
    // In place only for the optimizer's own slots, and for model variables in the built-in step
    // (applyOwned): a subclass may keep what read() gave it.
    if (!v.exposed && (v instanceof SlotVariable || this._gradientsOwned)) return v.current();
    const g = this._ownedGradient;
    if (g !== null && !(v instanceof SlotVariable)) {
      // The gradient is ours and the kernel reads each element before writing it: the new value
      // goes into its memory, still in cache from the backward pass.
      this._ownedGradient = null;
      return g;
    }
    return Tensor.uninitialized(v.shape, v.dtype);
  }

  /**
   * True when every update kernel of this optimizer reads a gradient element before it writes the
   * parameter element at the same index, so the new value may be written over the gradient.
   */
  protected get updatesIntoGradient(): boolean {
    return false;
  }

  /**
   * @internal `apply` for gradients that nothing else holds (the built-in training step's, given to a
   * built-in optimizer): the optimizer may write new values over them and recycles the rest.
   */
  applyOwned(grads: readonly (Tensor | null)[], variables: readonly Variable[]): void {
    this._gradientsOwned = true;
    try {
      this.apply(grads, variables);
    } finally {
      this._gradientsOwned = false;
      this._ownedGradient = null;
    }
  }

  /** `v`'s current tensor for a kernel to read, without exposing a slot. */
  protected read(v: Variable): Tensor {
    return v.current();
  }

  /**
   * Stores a kernel's output as `v`'s value: one `out()` gave is held nowhere else, so `v` stays
   * unexposed (its next update may be in place); any other tensor may be, and exposes it.
   */
  protected store(v: Variable, t: Tensor): void {
    if (this._outs.has(t)) v.store(t);
    else v.assign(t);
  }

  /** Tensors `out()` handed to kernels. */
  private readonly _outs = new WeakSet<Tensor>();

  private updateAverages(): void {
    const momentum = this.step !== 0 ? this.emaMomentum : 0;
    this._trainableVariables.forEach((v, i) => {
      const avg = this._averages[i];
      const out = this.out(avg);
      kernels.emaUpdate(this.read(avg), v.peek(), out, momentum);
      this.store(avg, out);
    });
    const f = this.emaOverwriteFrequency;
    if (f && (this.step + 1) % f === 0) this.overwriteWithAverages(this._trainableVariables);
  }

  private overwriteWithAverages(varList: readonly Variable[]): void {
    if (varList.length !== this._averages.length) {
      throw new Error(
        `${this.className}: the length of model variables (${varList.length}) to override does not match the length of model variables stored in the optimizer (${this._averages.length}). Please check if the optimizer was called on your model.`,
      );
    }
    varList.forEach((v, i) => {
      v.assign(this._averages[i].peek());
    });
  }

  /** At the end of training (fit calls it): with `useEma`, replaces the variables by their moving averages. */
  finalizeVariableValues(varList: readonly Variable[] = this._trainableVariables): void {
    if (this.useEma) this.overwriteWithAverages(varList);
  }

  // ---------------------------------------------------------------------------------------------
  // State and configuration

  /** Sets every optimizer variable (in `variables` order); the optimizer must be built. */
  setWeights(weights: readonly TensorData[]): void {
    if (!this.built) {
      throw new Error(
        `${this.className}: setWeights() called on an optimizer that has not yet been built. Call optimizer.build(trainableVariables) first.`,
      );
    }
    if (weights.length !== this._variables.length) {
      throw new Error(
        `${this.className}.setWeights: expected ${this._variables.length} arrays, received ${weights.length}.`,
      );
    }
    this._variables.forEach((v, i) => {
      v.assign(weights[i]);
    });
  }

  /** The values of every optimizer variable, in `variables` order. */
  getWeights(): Tensor[] {
    return this._variables.map((v) => v.peek());
  }

  /** Keras's store layout: `{ "0": iterations, "1": learning_rate, ... }`. */
  saveOwnVariables(store: Record<string, Tensor>): void {
    this._variables.forEach((v, i) => {
      store[String(i)] = v.peek();
    });
  }

  /** Loads a store written by `saveOwnVariables` (skipped with a warning when the counts differ, as in Keras). */
  loadOwnVariables(store: Record<string, TensorData>): void {
    const n = Object.keys(store).length;
    if (n !== this._variables.length) {
      console.warn(
        `Skipping variable loading for optimizer '${this.name}', because it has ${this._variables.length} variables whereas the saved optimizer has ${n} variables.${this._variables.length <= 2 ? " This is likely because the optimizer has not been called/built yet." : ""}`,
      );
      return;
    }
    this._variables.forEach((v, i) => {
      v.assign(store[String(i)]);
    });
  }

  /** Keras's `get_config` with camelCase keys; a schedule is given in its serialized (Keras) form. */
  getConfig(): Record<string, unknown> {
    const lr = this._learningRate;
    return {
      name: this.name,
      learningRate:
        lr instanceof Variable ? lr.peek().data[0] : lr instanceof LearningRateSchedule ? serializeSchedule(lr) : lr,
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      globalClipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      useEma: this.useEma,
      emaMomentum: this.emaMomentum,
      emaOverwriteFrequency: this.emaOverwriteFrequency,
      lossScaleFactor: this.lossScaleFactor,
      gradientAccumulationSteps: this.gradientAccumulationSteps,
    };
  }

  toString(): string {
    return `<${this.className} name=${this.name}, learningRate=${this.learningRate}, iterations=${this.step}>`;
  }
}

/** Per gradient: whether it alone uses its whole buffer (no other gradient shares it, no view). */
function exclusiveBuffers(gs: readonly Tensor[]): boolean[] {
  const count = new Map<ArrayBufferLike, number>();
  for (const g of gs) count.set(g.data.buffer, (count.get(g.data.buffer) ?? 0) + 1);
  return gs.map((g) => {
    const d = g.data;
    return count.get(d.buffer) === 1 && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength;
  });
}
