/**
 * Weight and activity penalties (Keras's regularizers): L1, L2, L1L2, OrthogonalRegularizer. Each
 * computes a scalar with ops, so it works on symbolic tensors and is differentiable in training.
 */
import { toTensor } from "../backend/convert.js";
import { isFloat } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import { eye, zerosLike } from "../ops/creation.js";
import { abs, add, maximum, multiply, rsqrt, square, subtract } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { sum } from "../ops/reduction.js";
import { transpose } from "../ops/shape.js";
import type { AnyTensor } from "../ops/types.js";

/**
 * A penalty on a tensor: `call(x)` returns a scalar added to the loss. Subclasses implement `call`
 * and `getConfig` (Keras's keys in camelCase; `fromConfig(getConfig())` rebuilds the regularizer).
 */
export abstract class Regularizer {
  abstract call(x: AnyTensor): AnyTensor;

  getConfig(): Record<string, unknown> {
    return {};
  }

  static fromConfig<T extends Regularizer>(
    this: new (
      config: Record<string, unknown>,
    ) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(config);
  }
}

/** A plain function `(x) => scalar` used where a Regularizer is expected. */
export class FunctionRegularizer extends Regularizer {
  constructor(readonly fn: (x: AnyTensor) => AnyTensor) {
    super();
  }

  override call(x: AnyTensor): AnyTensor {
    return this.fn(x);
  }
}

/** Keras's validate_float_arg: a finite number >= 0. */
function factorArg(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${where}: ${name} must be a non-negative finite number, received ${name}=${String(value)}.`);
  }
  return value;
}

/** A scalar in x's dtype: plain numbers given to ops are made float32 first (toAnyAll, ops/registry.ts). */
const scalar = (value: number, x: AnyTensor) => toTensor(value, x.dtype);

function floatInput(where: string, x: AnyTensor): void {
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${where}: requires a float tensor (float32 or float64), received dtype ${x.dtype}.`);
  }
}

/** l1 · Σ|x| (default l1 = 0.01). */
export class L1 extends Regularizer {
  readonly l1: number;

  constructor(l1: number | { l1?: number | null } | null = 0.01) {
    super();
    const v = typeof l1 === "object" && l1 !== null ? l1.l1 : l1;
    this.l1 = factorArg("L1", "l1", v ?? 0.01);
  }

  override call(x: AnyTensor): AnyTensor {
    floatInput("L1", x);
    return multiply(scalar(this.l1, x), sum(abs(x)));
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

/** l2 · Σx² (default l2 = 0.01). */
export class L2 extends Regularizer {
  readonly l2: number;

  constructor(l2: number | { l2?: number | null } | null = 0.01) {
    super();
    const v = typeof l2 === "object" && l2 !== null ? l2.l2 : l2;
    this.l2 = factorArg("L2", "l2", v ?? 0.01);
  }

  override call(x: AnyTensor): AnyTensor {
    floatInput("L2", x);
    return multiply(scalar(this.l2, x), sum(square(x)));
  }

  override getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

export interface L1L2Options {
  l1?: number | null;
  l2?: number | null;
}

/** l1 · Σ|x| + l2 · Σx²; both factors default to 0 (as Keras's class, so L1L2({ l2: 0.1 }) has no l1 term). */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;

  constructor({ l1, l2 }: L1L2Options = {}) {
    super();
    this.l1 = factorArg("L1L2", "l1", l1 ?? 0);
    this.l2 = factorArg("L1L2", "l2", l2 ?? 0);
  }

  override call(x: AnyTensor): AnyTensor {
    floatInput("L1L2", x);
    // Keras starts from a zero of x's dtype; zerosLike keeps it a (symbolic, if x is) tensor.
    let r: AnyTensor | null = null;
    if (this.l1 !== 0) r = multiply(scalar(this.l1, x), sum(abs(x)));
    if (this.l2 !== 0) {
      const t = multiply(scalar(this.l2, x), sum(square(x)));
      r = r === null ? t : add(r, t);
    }
    return r ?? zerosLike(sum(x));
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}

export type OrthogonalMode = "rows" | "columns";

export interface OrthogonalRegularizerOptions {
  factor?: number;
  mode?: OrthogonalMode;
}

// Keras's backend.epsilon(): the floor of the squared norm is its square.
const EPSILON = 1e-7;

/**
 * Pushes the rows (mode "rows", default) or columns of a 2-D weight towards orthogonality:
 * factor · mean over pairs i < j of |⟨uᵢ, uⱼ⟩|, the uᵢ being the L2-normalized rows (or columns).
 * As Keras computes it: factor · ½ Σ_{i≠j} |⟨uᵢ, uⱼ⟩| / (n (n - 1) / 2). Default factor 0.01.
 */
export class OrthogonalRegularizer extends Regularizer {
  readonly factor: number;
  readonly mode: OrthogonalMode;

  constructor({ factor = 0.01, mode = "rows" }: OrthogonalRegularizerOptions = {}) {
    super();
    this.factor = factorArg("OrthogonalRegularizer", "factor", factor);
    if (mode !== "rows" && mode !== "columns") {
      throw new RangeError(`OrthogonalRegularizer: mode must be "rows" or "columns", received mode=${String(mode)}.`);
    }
    this.mode = mode;
  }

  override call(x: AnyTensor): AnyTensor {
    floatInput("OrthogonalRegularizer", x);
    if (x.shape.length !== 2) {
      throw new Error(`OrthogonalRegularizer: inputs must have rank 2, received shape ${shapeToString(x.shape)}.`);
    }
    const rows = this.mode === "rows";
    const size = x.shape[rows ? 0 : 1];
    if (size === null) {
      throw new Error(
        `OrthogonalRegularizer: the ${rows ? "first" : "second"} axis (mode "${this.mode}") must be known, received shape ${shapeToString(x.shape)}.`,
      );
    }
    // Keras's ops.normalize(x, axis, order=2): x · rsqrt(max(Σx², ε²)), finite for zero vectors.
    const u = multiply(x, rsqrt(maximum(sum(square(x), rows ? 1 : 0, true), scalar(EPSILON * EPSILON, x))));
    const product = rows ? matmul(u, transpose(u)) : matmul(transpose(u), u);
    const offDiagonal = multiply(product, subtract(1, eye(size, size, 0, x.dtype)));
    const numPairs = (size * (size - 1)) / 2;
    return multiply(scalar((this.factor * 0.5) / numPairs, x), sum(abs(offDiagonal)));
  }

  override getConfig(): Record<string, unknown> {
    return { factor: this.factor, mode: this.mode };
  }
}
