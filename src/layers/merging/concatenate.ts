import { shapeToString } from "../../backend/shape.js";
import { onesLike, zerosLike } from "../../ops/creation.js";
import { logicalOr } from "../../ops/elementwise.js";
import { any } from "../../ops/reduction.js";
import { concatenate as concatenateOp, expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { CallOptions, LayerArgs } from "../layer.js";
import { Merge, shapesToString } from "./base_merge.js";

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to concatenate along (default -1). */
  axis?: number;
}

/**
 * Concatenates a list of inputs along `axis` (Keras's Concatenate); the other axes must match.
 * With masks, the output mask is the concatenated masks (inputs without one count as unmasked)
 * reduced with any() over the last axis.
 */
export class Concatenate extends Merge {
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis)) {
      throw new TypeError(`${this.describe()}: axis must be an integer, received ${String(args.axis)}.`);
    }
  }

  /** Keras's check: one rank, and equal sizes (where known) on every axis but the concatenation axis. */
  protected override checkShapes(xs: readonly AnyTensor[]): void {
    const rank = xs[0].shape.length;
    const fail = (why: string) =>
      new Error(
        `${this.describe()}: a Concatenate layer requires inputs with matching shapes except for the concatenation axis${why}; received input shapes ${shapesToString(xs)}.`,
      );
    if (xs.some((x) => x.shape.length !== rank)) throw fail(" (the inputs have different ranks)");
    if (this.axis < -rank || this.axis >= rank) {
      throw new Error(
        `${this.describe()}: axis ${this.axis} is out of range for inputs of rank ${rank}; received input shapes ${shapesToString(xs)}.`,
      );
    }
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    for (let a = 0; a < rank; a++) {
      if (a === axis) continue;
      const sizes = new Set(xs.map((x) => x.shape[a]).filter((d) => d !== null));
      if (sizes.size > 1) throw fail(` (axis ${a} differs)`);
    }
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    const xs = this.inputList(inputs);
    this.checkShapes(xs);
    return concatenateOp(xs, this.axis);
  }

  protected override mergeFunction(xs: AnyTensor[]): AnyTensor {
    return concatenateOp(xs, this.axis);
  }

  override computeMask(inputs: Nested<AnyTensor>, mask: Nested<AnyTensor | null> | null): AnyTensor | null {
    if (mask === null || mask === undefined) return null;
    const xs = this.inputList(inputs);
    if (!Array.isArray(mask) || mask.length !== xs.length) {
      throw new Error(
        `${this.describe()}: the inputs and masks should be lists of the same length, received ${xs.length} inputs and ${Array.isArray(mask) ? mask.length : "a single"} mask(s).`,
      );
    }
    const ms = mask as (AnyTensor | null)[];
    if (ms.every((m) => m === null || m === undefined)) return null;
    const full = xs.map((x, i) => {
      const m = ms[i];
      if (!m) return onesLike(x, "bool");
      if (m.shape.length < x.shape.length) {
        // Broadcast [batch, ...] masks to the input's shape (an OR with zeros, as Keras does).
        return logicalOr(expandDims(m, -1), zerosLike(x, "bool"));
      }
      if (m.shape.length > x.shape.length) {
        throw new Error(
          `${this.describe()}: mask ${i} of shape ${shapeToString(m.shape)} has a higher rank than its input of shape ${shapeToString(x.shape)}.`,
        );
      }
      return m;
    });
    return any(concatenateOp(full, this.axis), -1, false);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Functional interface to the Concatenate layer (Keras's keras.layers.concatenate). */
export function concatenate<T extends AnyTensor>(inputs: T[], args: ConcatenateArgs = {}): T {
  return new Concatenate(args)(inputs as never) as T;
}
