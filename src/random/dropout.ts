import "../backend/cpu/elementwise.js";
import { isFloat } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import { type SpecShape, shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { multiply } from "../ops/elementwise.js";
import { applyOp, defineOp, toAny } from "../ops/registry.js";
import type { Out, TensorInput } from "../ops/types.js";
import { randomDoubles } from "./philox.js";
import { drawSeed, type Seed } from "./seed_generator.js";

interface DropoutAttrs {
  rate: number;
  noiseShape: SpecShape | null;
  seed: Seed;
}

function checkNoiseShape(inShape: SpecShape, noiseShape: SpecShape | null): void {
  if (noiseShape === null) return;
  const ok =
    noiseShape.length === inShape.length &&
    noiseShape.every(
      (d, i) => d === null || (Number.isInteger(d) && (d === 1 || inShape[i] === null || d === inShape[i])),
    );
  if (!ok) {
    throw new Error(
      `random.dropout: noiseShape must have the inputs' rank, each dimension equal to the input's, 1 or null; received noiseShape ${shapeToString(noiseShape)} for inputs of shape ${shapeToString(inShape)}.`,
    );
  }
}

/**
 * Outputs [inputs * mask, mask], the mask holding 0 or 1 / (1 - rate) at the inputs' shape. The mask
 * is an output so that the gradient (dy * mask) uses the very mask the forward pass drew.
 */
const DROPOUT = defineOp<DropoutAttrs>({
  name: "dropout",
  spec: ([x], { noiseShape }) => {
    if (!isFloat(x.dtype)) {
      throw new TypeError(`random.dropout: inputs must be a float tensor, received dtype ${x.dtype}.`);
    }
    checkNoiseShape(x.shape, noiseShape);
    return [
      { shape: x.shape, dtype: x.dtype },
      { shape: x.shape, dtype: x.dtype },
    ];
  },
  // The seed is drawn when the op runs, so a graph holding this op draws a new mask each execution.
  forward: ([x], { rate, noiseShape, seed }) => {
    const keep = 1 - rate;
    const shape = noiseShape ? noiseShape.map((d, i) => d ?? x.shape[i]) : x.shape;
    const noise = Tensor.empty(shape, x.dtype);
    const u = randomDoubles(drawSeed(seed, "random.dropout"), noise.size);
    const scale = 1 / keep;
    for (let i = 0; i < u.length; i++) noise.data[i] = u[i] < keep ? scale : 0;
    let mask = noise;
    if (noise.size !== x.size) {
      mask = Tensor.empty(x.shape, x.dtype);
      kernels.broadcastTo(noise, mask);
    } else if (noiseShape) mask = new Tensor(noise.data, x.shape.slice(), x.dtype);
    const y = Tensor.empty(x.shape, x.dtype);
    const xd = x.data;
    const md = mask.data;
    // Dropped entries are exactly 0 even where the input is inf or NaN (Keras selects, not multiplies).
    for (let i = 0; i < xd.length; i++) y.data[i] = md[i] !== 0 ? xd[i] / keep : 0;
    return [y, mask];
  },
  grad: ([dy], { outputs: [, mask] }) => [multiply(dy, mask)],
});

/**
 * Randomly sets entries of `inputs` to 0 with probability `rate` and scales the rest by
 * 1 / (1 - rate), so the expected value is unchanged (Keras's `keras.random.dropout`).
 * `noiseShape` (same rank as the inputs; 1 to share the mask along an axis, null for the input's
 * size) shapes the mask, which is then broadcast. Differentiable with respect to `inputs`.
 */
export function dropout<T extends TensorInput>(
  inputs: T,
  rate: number,
  { noiseShape, seed }: { noiseShape?: readonly (number | null)[] | null; seed?: Seed } = {},
): Out<T> {
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
    throw new RangeError(`random.dropout: rate must be a number in [0, 1), received ${String(rate)}.`);
  }
  const attrs: DropoutAttrs = { rate, noiseShape: noiseShape ? noiseShape.slice() : null, seed };
  return applyOp(DROPOUT, [toAny(inputs)], attrs)[0] as Out<T>;
}
