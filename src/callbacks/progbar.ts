import { formatExponential, formatFixed, pyInt } from "./format.js";
import { type OutputStream, stdoutStream } from "./io.js";

export interface ProgbarOptions {
  /** Bar width in characters (20). */
  width?: number;
  /** 0 silent, 1 a bar updated in place, 2 one line when finished. */
  verbose?: number;
  /** Minimum seconds between two redraws with verbose 1 (0.05). */
  interval?: number;
  /** Names shown as given (not averaged over steps). Exclusive with `statelessMetrics`. */
  statefulMetrics?: Iterable<string>;
  /** Names averaged over steps; every other name is shown as given. Exclusive with `statefulMetrics`. */
  statelessMetrics?: Iterable<string>;
  /** "step" or "sample", as in "12ms/step". */
  unitName?: string;
  /** Where to write (process.stdout by default). */
  stream?: OutputStream;
  /** Redraw one line with "\r" (a terminal) or print each update on a new line. Default: `stream.isTTY`. */
  dynamicDisplay?: boolean;
  /** ANSI bold/colors as Keras prints them. Default: `dynamicDisplay` (no escape codes in log files). */
  colors?: boolean;
  /** Clock in seconds (for tests); `performance.now() / 1000` by default. */
  now?: () => number;
}

const bold = (s: string, on: boolean) => (on ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string, on: boolean) => (on ? `\x1b[32m${s}\x1b[0m` : s);
const white = (s: string, on: boolean) => (on ? `\x1b[37m${s}\x1b[0m` : s);

/** Python's `f"{x:.4f}"` above 1e-3 in absolute value, `f"{x:.4e}"` otherwise (Keras's metric format). */
export function formatMetricValue(x: number): string {
  return Math.abs(x) > 1e-3 ? formatFixed(x, 4) : formatExponential(x, 4);
}

/** Keras's `_format_time`: " 12ms/step", " 3s/step", " 450us/step". */
export function formatStepTime(timePerUnit: number, unitName: string): string {
  if (timePerUnit >= 1 || timePerUnit === 0) return ` ${formatFixed(timePerUnit, 0)}s/${unitName}`;
  if (timePerUnit >= 1e-3) return ` ${formatFixed(timePerUnit * 1000, 0)}ms/${unitName}`;
  return ` ${formatFixed(timePerUnit * 1e6, 0)}us/${unitName}`;
}

/** Keras's ETA: "42s", "3:05", "1:02:03". */
export function formatEta(eta: number): string {
  if (eta > 3600) {
    return `${pyInt(Math.floor(eta / 3600))}:${pyInt(Math.floor((eta % 3600) / 60)).padStart(2, "0")}:${pyInt(eta % 60).padStart(2, "0")}`;
  }
  if (eta > 60) return `${pyInt(Math.floor(eta / 60))}:${pyInt(eta % 60).padStart(2, "0")}`;
  return `${pyInt(eta)}s`;
}

/**
 * A progress bar (Keras's keras.utils.Progbar), printed as Keras prints it:
 * `63/63 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.8750 - loss: 0.4000`.
 */
export class Progbar {
  target: number | null;
  readonly width: number;
  readonly verbose: number;
  readonly interval: number;
  readonly unitName: string;
  private readonly statefulMetrics: Set<string> | null;
  private readonly statelessMetrics: Set<string> | null;
  private readonly stream: OutputStream;
  private readonly dynamicDisplay: boolean;
  private readonly colors: boolean;
  private readonly now: () => number;
  private seenSoFar = 0;
  private readonly values = new Map<string, [number, number]>();
  private readonly start: number;
  private lastUpdate = Number.NEGATIVE_INFINITY; // the first update always draws
  private timeAfterFirstStep: number | null = null;
  private prevTotalWidth = 0;

  constructor(target: number | null | undefined, options: ProgbarOptions = {}) {
    if (options.statefulMetrics !== undefined && options.statelessMetrics !== undefined) {
      throw new Error("Progbar: pass only one of `statefulMetrics` and `statelessMetrics`.");
    }
    this.target = target ?? null;
    this.width = options.width ?? 20;
    this.verbose = options.verbose ?? 1;
    this.interval = options.interval ?? 0.05;
    this.unitName = options.unitName ?? "step";
    this.statefulMetrics = options.statelessMetrics === undefined ? new Set(options.statefulMetrics ?? []) : null;
    this.statelessMetrics = options.statelessMetrics === undefined ? null : new Set(options.statelessMetrics);
    this.stream = options.stream ?? stdoutStream();
    this.dynamicDisplay = options.dynamicDisplay ?? this.stream.isTTY === true;
    this.colors = options.colors ?? this.dynamicDisplay;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.start = this.now();
  }

  /**
   * Shows step `current` with `[name, value]` pairs. Values of stateless metrics are averaged over
   * the steps since the start (weighted by steps); on the final update every value is shown as given.
   * `finalize` defaults to `current >= target`.
   */
  update(current: number, values: Iterable<[string, number]> = [], finalize?: boolean): void {
    finalize ??= this.target === null ? false : current >= this.target;
    for (const [k, v] of values) {
      const stateless = this.statefulMetrics !== null ? !this.statefulMetrics.has(k) : this.statelessMetrics!.has(k);
      if (stateless && !finalize) {
        const base = Math.max(current - this.seenSoFar, 1);
        const acc = this.values.get(k);
        if (acc === undefined) this.values.set(k, [v * base, base]);
        else {
          acc[0] += v * base;
          acc[1] += base;
        }
      } else {
        this.values.set(k, [v, 1]);
      }
    }
    this.seenSoFar = current;
    const now = this.now();
    const timePerUnit = this.estimateStepDuration(current, now);
    const hasTarget = this.target !== null && this.target > 0;
    const c = this.colors;

    if (this.verbose === 1) {
      if (now - this.lastUpdate < this.interval && !finalize) return;
      let bar: string;
      let plainBar: string;
      if (hasTarget) {
        const target = this.target as number;
        const count = `${String(current).padStart(numDigits(target))}/${target}`;
        const progWidth = Math.max(0, Math.min(this.width, Math.floor((this.width * current) / target)));
        const done = "━".repeat(progWidth);
        const todo = "━".repeat(this.width - progWidth);
        bar = `${bold(count, c)} ${progWidth > 0 ? green(done, c) : ""}${white(todo, c)}`;
        plainBar = `${count} ${done}${todo}`;
      } else {
        bar = plainBar = `${String(current).padStart(7)}/Unknown`;
      }
      const time =
        hasTarget && !finalize
          ? formatEta(timePerUnit * ((this.target as number) - current))
          : `${formatFixed(now - this.start, 0)}s`;
      const rest = formatStepTime(timePerUnit, this.unitName) + this.metricsText(formatMetricValue);
      const info = ` ${bold(time, c)}${rest}`;
      const totalWidth = plainBar.length + 1 + time.length + rest.length;
      let message = (this.dynamicDisplay ? "\r" : "\n") + bar + info;
      if (this.prevTotalWidth > totalWidth) message += " ".repeat(this.prevTotalWidth - totalWidth);
      if (finalize) message += "\n";
      this.stream.write(message);
      this.prevTotalWidth = totalWidth;
    } else if (this.verbose === 2) {
      if (finalize && hasTarget) {
        const target = this.target as number;
        const count = `${String(current).padStart(numDigits(target))}/${target}`;
        let info = `${count} - ${formatFixed(now - this.start, 0)}s -${formatStepTime(timePerUnit, this.unitName)}`;
        // Keras's verbose-2 line compares the value itself (not its absolute value) with 1e-3.
        info += this.metricsText((x) => (x > 1e-3 ? formatFixed(x, 4) : formatExponential(x, 4)));
        this.stream.write(`${info}\n`);
      }
    }
    this.lastUpdate = now;
  }

  /** Advances by `n` steps. */
  add(n: number, values?: Iterable<[string, number]>): void {
    this.update(this.seenSoFar + n, values);
  }

  private metricsText(fmt: (x: number) => string): string {
    let s = "";
    for (const [k, [sum, count]] of this.values) s += ` - ${k}: ${fmt(sum / Math.max(1, count))}`;
    return s;
  }

  /** Seconds per step, leaving out the (slow, compiling) first step once there are more. */
  private estimateStepDuration(current: number, now: number): number {
    if (!current) return 0;
    const t =
      this.timeAfterFirstStep !== null && current > 1
        ? (now - this.timeAfterFirstStep) / (current - 1)
        : (now - this.start) / current;
    if (current === 1) this.timeAfterFirstStep = now;
    return t;
  }
}

function numDigits(n: number): number {
  return Math.floor(Math.log10(n)) + 1;
}
