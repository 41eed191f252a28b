import { normalizeAxis } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { applyOp, apply1, defineOp, type OpDef, toAny } from "../ops/registry.js";
import type { Out, TensorInput } from "../ops/types.js";
import { randomDoubles } from "./philox.js";
import { drawSeed, type Seed } from "./seed_generator.js";

/** out[..., k, ...] = x[..., perm[k], ...] along `axis`. */
function permuteInto(x: Tensor, perm: ArrayLike<number>, axis: number, out: Tensor): void {
  const n = x.shape[axis];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i];
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  const src = x.data;
  const dst = out.data;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const from = (o * n + perm[k]) * inner;
      dst.set(src.subarray(from, from + inner), (o * n + k) * inner);
    }
  }
}

function inverse(perm: ArrayLike<number>): number[] {
  const inv = new Array<number>(perm.length);
  for (let k = 0; k < perm.length; k++) inv[perm[k]] = k;
  return inv;
}

/** Reorders slices along `axis` by a fixed permutation; its gradient applies the inverse one. */
const PERMUTE: OpDef<{ axis: number; perm: number[] }> = defineOp<{ axis: number; perm: number[] }>({
  name: "permuteAlongAxis",
  spec: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  forward: ([x], { axis, perm }) => {
    const out = Tensor.empty(x.shape, x.dtype);
    permuteInto(x, perm, axis, out);
    return out;
  },
  grad: ([dy], { attrs: { axis, perm } }) => [apply1(PERMUTE, [dy], { axis, perm: inverse(perm) }) as Tensor],
});

/** Outputs [shuffled x, the permutation used (int32)]; the permutation feeds the gradient. */
const SHUFFLE = defineOp<{ axis: number; seed: Seed }>({
  name: "shuffle",
  spec: ([x], { axis }) => {
    const a = normalizeAxis("random.shuffle", axis, x.shape.length);
    return [
      { shape: x.shape, dtype: x.dtype },
      { shape: [x.shape[a]], dtype: "int32" },
    ];
  },
  // The seed is drawn when the op runs, so a graph holding this op shuffles afresh each execution.
  forward: ([x], { axis, seed }) => {
    const a = normalizeAxis("random.shuffle", axis, x.rank);
    const n = x.shape[a];
    const perm = Tensor.empty([n], "int32");
    const p = perm.data;
    for (let i = 0; i < n; i++) p[i] = i;
    // Fisher–Yates: position i swaps with a uniform j in [0, i].
    const u = randomDoubles(drawSeed(seed, "random.shuffle"), n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[i] * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    const out = Tensor.empty(x.shape, x.dtype);
    permuteInto(x, p, a, out);
    return [out, perm];
  },
  grad: ([dy], { outputs: [, perm], attrs: { axis } }) => [
    apply1(PERMUTE, [dy], { axis: normalizeAxis("random.shuffle", axis, dy.rank), perm: inverse(perm.data) }) as Tensor,
  ],
});

/** Shuffles `x` uniformly at random along `axis` (Keras's `keras.random.shuffle`). */
export function shuffle<T extends TensorInput>(x: T, { axis = 0, seed }: { axis?: number; seed?: Seed } = {}): Out<T> {
  return applyOp(SHUFFLE, [toAny(x)], { axis, seed })[0] as Out<T>;
}
