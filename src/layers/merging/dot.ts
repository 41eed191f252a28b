import { shapeToString } from "../../backend/shape.js";
import { maximum, multiply, rsqrt, square } from "../../ops/elementwise.js";
import { einsum } from "../../ops/linalg.js";
import { sum } from "../../ops/reduction.js";
import { expandDims } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { CallOptions, LayerArgs } from "../layer.js";
import { Merge, shapesToString } from "./base_merge.js";

export interface DotArgs extends LayerArgs {
  /** L2-normalize both inputs along the dot axes first, giving the cosine proximity. */
  normalize?: boolean;
}

/** Keras's backend epsilon. */
const EPSILON = 1e-7;

/** x / ||x|| along `axis` as Keras's ops.normalize (order 2): x * rsqrt(max(sum(x²), ε²)). */
function l2Normalize(x: AnyTensor, axis: number): AnyTensor {
  return multiply(x, rsqrt(maximum(sum(square(x), axis, true), EPSILON * EPSILON)));
}

/**
 * The dot product of two batched inputs along one axis of each (Keras's Dot and batch_dot): the
 * output holds the batch axis, x's other axes, then y's other axes; [batch] results become [batch, 1].
 */
export class Dot extends Merge {
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(axes: number | readonly [number, number], args: DotArgs = {}) {
    super(args);
    if (typeof axes !== "number") {
      if (!Array.isArray(axes)) {
        throw new TypeError(
          `${this.describe()}: invalid type for argument \`axes\`: it should be an array or an integer, received ${String(axes)}.`,
        );
      }
      if (axes.length !== 2 || !axes.every((a) => Number.isInteger(a))) {
        throw new Error(
          `${this.describe()}: invalid format for argument \`axes\`: it should contain two integers, received [${String(axes)}].`,
        );
      }
    } else if (!Number.isInteger(axes)) {
      throw new TypeError(`${this.describe()}: axes must be an integer or two integers, received ${axes}.`);
    }
    this.axes = typeof axes === "number" ? axes : [axes[0], axes[1]];
    this.normalize = args.normalize ?? false;
  }

  protected override inputList(inputs: Nested<AnyTensor>): AnyTensor[] {
    const xs = super.inputList(inputs);
    if (xs.length !== 2) {
      throw new Error(
        `${this.describe()}: a Dot layer should be called on a list of 2 inputs, received ${xs.length} inputs of shapes ${shapesToString(xs)}.`,
      );
    }
    return xs;
  }

  /** The axes for inputs of the given ranks, negatives resolved. */
  private resolveAxes(r1: number, r2: number): [number, number] {
    const [a1, a2] = typeof this.axes === "number" ? [this.axes, this.axes] : this.axes;
    return [a1 < 0 ? a1 + r1 : a1, a2 < 0 ? a2 + r2 : a2];
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let [x, y] = this.inputList(inputs);
    const r1 = x.shape.length;
    const r2 = y.shape.length;
    const shapes = `received inputs of shapes ${shapesToString([x, y])}`;
    if (r1 < 2 || r2 < 2)
      throw new Error(`${this.describe()}: the inputs must have rank >= 2 (a batch axis and one more); ${shapes}.`);
    const [b1, b2] = [x.shape[0], y.shape[0]];
    if (b1 !== null && b2 !== null && b1 !== b2) {
      throw new Error(`${this.describe()}: the inputs have different batch sizes; ${shapes}.`);
    }
    const [a1, a2] = this.resolveAxes(r1, r2);
    if (a1 < 0 || a1 >= r1 || a2 < 0 || a2 >= r2) {
      throw new Error(`${this.describe()}: axes ${JSON.stringify(this.axes)} are out of range; ${shapes}.`);
    }
    if (a1 === 0 || a2 === 0) {
      throw new Error(
        `${this.describe()}: cannot take the dot product over axis 0, the batch axis; ${shapes}. If your inputs are not batched, add a batch axis with ops.expandDims(x, 0).`,
      );
    }
    const [d1, d2] = [x.shape[a1], y.shape[a2]];
    if (d1 !== null && d2 !== null && d1 !== d2) {
      throw new Error(
        `${this.describe()}: incompatible input shapes: axis values ${d1} (at axis ${a1}) != ${d2} (at axis ${a2}); full input shapes ${shapeToString(x.shape)}, ${shapeToString(y.shape)}.`,
      );
    }
    if (this.normalize) {
      x = l2Normalize(x, a1);
      y = l2Normalize(y, a2);
    }
    // batch_dot as one einsum: shared batch label, shared contraction label, the rest kept in order.
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const xl = letters.slice(0, r1).split("");
    const yl = ["a"];
    let next = r1;
    for (let k = 1; k < r2; k++) yl.push(k === a2 ? xl[a1] : letters[next++]);
    const out = [...xl.filter((_, k) => k !== a1), ...yl.filter((_, k) => k !== 0 && k !== a2)];
    const result = einsum(`${xl.join("")},${yl.join("")}->${out.join("")}`, x, y) as AnyTensor;
    return out.length === 1 ? expandDims(result, 1) : result;
  }

  protected override mergeFunction(): AnyTensor {
    throw new Error(`${this.describe()}: Dot merges in call().`);
  }

  override computeMask(): null {
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}

/** Functional interface to the Dot layer (Keras's keras.layers.dot). */
export function dot<T extends AnyTensor>(inputs: T[], axes: number | [number, number] = -1, args: DotArgs = {}): T {
  return new Dot(axes, args)(inputs as never) as T;
}
