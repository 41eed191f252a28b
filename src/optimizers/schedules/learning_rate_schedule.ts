/**
 * Learning-rate schedules (Keras 3's keras/src/optimizers/schedules/learning_rate_schedule.py): objects
 * called on the optimizer's step (its `iterations` before the update) that return the learning rate.
 * Values are computed in double precision; the optimizer rounds them to float32 as Keras's float32
 * tensors do.
 */

/** A schedule's configuration, camelCase keys (Keras's `get_config` keys in camelCase). */
export type ScheduleConfig = Record<string, unknown>;

export abstract class LearningRateSchedule {
  /** The learning rate at `step` (the number of updates applied so far). */
  abstract call(step: number): number;

  /** The constructor arguments, camelCase, enough to rebuild the schedule with `fromConfig`. */
  getConfig(): ScheduleConfig {
    throw new Error(
      `Learning rate schedule '${this.constructor.name}' must override getConfig() in order to be serializable.`,
    );
  }
}

function checkPositive(owner: string, arg: string, value: number): void {
  if (!(value > 0)) throw new Error(`${owner}: argument \`${arg}\` must be > 0. Received: ${arg}=${value}`);
}

export interface ExponentialDecayOptions {
  staircase?: boolean;
  name?: string;
}

/**
 * ExponentialDecay and InverseTimeDecay: the same arguments and config; each applies decayRate to
 * the progress `step / decaySteps` (floored with `staircase`) its own way.
 */
abstract class RateDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(
    className: string,
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options: ExponentialDecayOptions,
  ) {
    super();
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.decayRate = decayRate;
    this.staircase = options.staircase ?? false;
    this.name = options.name ?? className;
    checkPositive(className, "decaySteps", decaySteps);
  }

  protected progress(step: number): number {
    const p = step / this.decaySteps;
    return this.staircase ? Math.floor(p) : p;
  }

  override getConfig(): ScheduleConfig {
    const { initialLearningRate, decaySteps, decayRate, staircase, name } = this;
    return { initialLearningRate, decaySteps, decayRate, staircase, name };
  }
}

/** `initialLearningRate * decayRate ^ (step / decaySteps)`, the exponent floored with `staircase`. */
export class ExponentialDecay extends RateDecay {
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options: ExponentialDecayOptions = {},
  ) {
    super("ExponentialDecay", initialLearningRate, decaySteps, decayRate, options);
  }

  call(step: number): number {
    return this.initialLearningRate * this.decayRate ** this.progress(step);
  }
}

/** `values[0]` while `step <= boundaries[0]`, `values[i]` while `step <= boundaries[i]`, then `values[-1]`. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;

  constructor(boundaries: number[], values: number[], options: { name?: string } = {}) {
    super();
    if (boundaries.length !== values.length - 1) {
      throw new Error(
        `PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. Received: boundaries=[${boundaries}] of length ${boundaries.length}, and values=[${values}] of length ${values.length}.`,
      );
    }
    this.boundaries = boundaries.slice();
    this.values = values.slice();
    this.name = options.name ?? "PiecewiseConstant";
  }

  call(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]) return this.values[i];
    return this.values[this.values.length - 1];
  }

  override getConfig(): ScheduleConfig {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }
}

export interface PolynomialDecayOptions {
  endLearningRate?: number;
  power?: number;
  cycle?: boolean;
  name?: string;
}

/**
 * `(initial - end) * (1 - step / decaySteps) ^ power + end` with step capped at decaySteps; with
 * `cycle`, decaySteps grows to the first multiple of itself at or above step.
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;

  constructor(initialLearningRate: number, decaySteps: number, options: PolynomialDecayOptions = {}) {
    super();
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.endLearningRate = options.endLearningRate ?? 0.0001;
    this.power = options.power ?? 1.0;
    this.cycle = options.cycle ?? false;
    this.name = options.name ?? "PolynomialDecay";
    checkPositive("PolynomialDecay", "decaySteps", decaySteps);
  }

  call(step: number): number {
    let s = step;
    let d = this.decaySteps;
    if (this.cycle) d *= s === 0 ? 1 : Math.ceil(s / this.decaySteps);
    else s = Math.min(s, d);
    const p = s / d;
    return (this.initialLearningRate - this.endLearningRate) * (1 - p) ** this.power + this.endLearningRate;
  }

  override getConfig(): ScheduleConfig {
    const { initialLearningRate, decaySteps, endLearningRate, power, cycle, name } = this;
    return { initialLearningRate, decaySteps, endLearningRate, power, cycle, name };
  }
}

/** `initialLearningRate / (1 + decayRate * step / decaySteps)`, the ratio floored with `staircase`. */
export class InverseTimeDecay extends RateDecay {
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    decayRate: number,
    options: ExponentialDecayOptions = {},
  ) {
    super("InverseTimeDecay", initialLearningRate, decaySteps, decayRate, options);
  }

  call(step: number): number {
    return this.initialLearningRate / (1 + this.decayRate * this.progress(step));
  }
}

export interface CosineDecayOptions {
  alpha?: number;
  name?: string;
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/**
 * Cosine decay from the initial rate (or `warmupTarget` after a linear warmup of `warmupSteps`) to
 * `alpha` times it over `decaySteps`: `lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decaySteps)) + alpha)`.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(initialLearningRate: number, decaySteps: number, options: CosineDecayOptions = {}) {
    super();
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.alpha = options.alpha ?? 0.0;
    this.name = options.name ?? "CosineDecay";
    this.warmupTarget = options.warmupTarget ?? null;
    this.warmupSteps = options.warmupSteps ?? 0;
    checkPositive("CosineDecay", "decaySteps", decaySteps);
  }

  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  call(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }

  override getConfig(): ScheduleConfig {
    const { initialLearningRate, decaySteps, alpha, name, warmupTarget, warmupSteps } = this;
    return { initialLearningRate, decaySteps, alpha, name, warmupTarget, warmupSteps };
  }
}

export interface CosineDecayRestartsOptions {
  tMul?: number;
  mMul?: number;
  alpha?: number;
  name?: string;
}

/**
 * SGDR: cosine decay over `firstDecaySteps`, then warm restarts, each period `tMul` times longer and
 * starting from `mMul` times the previous peak.
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;

  constructor(initialLearningRate: number, firstDecaySteps: number, options: CosineDecayRestartsOptions = {}) {
    super();
    this.initialLearningRate = initialLearningRate;
    this.firstDecaySteps = firstDecaySteps;
    this.tMul = options.tMul ?? 2.0;
    this.mMul = options.mMul ?? 1.0;
    this.alpha = options.alpha ?? 0.0;
    this.name = options.name ?? "SGDRDecay";
    checkPositive("CosineDecayRestarts", "firstDecaySteps", firstDecaySteps);
  }

  call(step: number): number {
    const { tMul, mMul, alpha } = this;
    let fraction = step / this.firstDecaySteps;
    let iRestart: number;
    if (tMul === 1) {
      iRestart = Math.floor(fraction);
      fraction -= iRestart;
    } else {
      iRestart = Math.floor(Math.log(1 - fraction * (1 - tMul)) / Math.log(tMul));
      const sumR = (1 - tMul ** iRestart) / (1 - tMul);
      fraction = (fraction - sumR) / tMul ** iRestart;
    }
    const cosine = 0.5 * mMul ** iRestart * (1 + Math.cos(Math.PI * fraction));
    return this.initialLearningRate * ((1 - alpha) * cosine + alpha);
  }

  override getConfig(): ScheduleConfig {
    const { initialLearningRate, firstDecaySteps, tMul, mMul, alpha, name } = this;
    return { initialLearningRate, firstDecaySteps, tMul, mMul, alpha, name };
  }
}
