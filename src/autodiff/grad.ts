import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { GradientTape } from "./tape.js";

/** A nested structure of tensors: a tensor, or arrays/objects of them. */
export type Tree<T> = T | readonly Tree<T>[] | { readonly [k: string]: Tree<T> };

function leaves(x: unknown, out: (Tensor | Variable)[]): void {
  if (x instanceof Tensor || x instanceof Variable) out.push(x);
  else if (Array.isArray(x)) for (const v of x) leaves(v, out);
  else if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) leaves(v, out);
  }
}

function rebuild(x: unknown, grads: Map<Tensor | Variable, Tensor>): unknown {
  if (x instanceof Tensor || x instanceof Variable) return grads.get(x);
  if (Array.isArray(x)) return x.map((v) => rebuild(v, grads));
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rebuild(v, grads)]));
  }
  return x;
}

/** @inline */
/* biome-ignore lint/suspicious/noExplicitAny: gradient functions accept any argument list. */
type AnyFn = (...args: any[]) => Tensor;

function run(f: AnyFn, argnums: number | readonly number[], args: unknown[], name: string): [Tensor, unknown] {
  const nums = typeof argnums === "number" ? [argnums] : argnums;
  for (const n of nums) {
    if (n < 0 || n >= args.length)
      throw new RangeError(`keras.${name}: argnums ${n} is out of range for ${args.length} arguments.`);
  }
  const tape = new GradientTape({ watchAccessedVariables: false });
  const perArg = nums.map((n) => {
    const ls: (Tensor | Variable)[] = [];
    leaves(args[n], ls);
    for (const [i, l] of ls.entries()) {
      if (l.dtype !== "float32" && l.dtype !== "float64") {
        throw new TypeError(
          `keras.${name}: argument ${n} holds a ${l.dtype} tensor (leaf ${i}); gradients exist only with respect to float tensors.`,
        );
      }
    }
    tape.watch(...ls);
    return ls;
  });
  const value = tape.record(() => f(...args));
  if (!(value instanceof Tensor) || value.size !== 1) {
    throw new TypeError(
      `keras.${name}: the function must return a scalar tensor, received ${value instanceof Tensor ? `shape [${value.shape.join(", ")}]` : typeof value}.`,
    );
  }
  const all = perArg.flat();
  const gs = tape.gradient(value, all, { unconnected: "zero" });
  const map = new Map<Tensor | Variable, Tensor>(all.map((l, i) => [l, gs[i] as Tensor]));
  const out = nums.map((n) => rebuild(args[n], map));
  return [value, typeof argnums === "number" ? out[0] : out];
}

/**
 * The gradient function of `f` (which returns a scalar): `grad(f)(x)` has x's structure.
 * `argnums` picks the arguments (a number gives one gradient, a list gives a list). Calls nest:
 * `grad((x) => sum(grad(g)(x)))` differentiates a gradient.
 */
export function grad<F extends AnyFn>(f: F, argnums: number | readonly number[] = 0) {
  // biome-ignore lint/suspicious/noExplicitAny: the gradient mirrors the structure of the arguments.
  return (...args: Parameters<F>): any => run(f, argnums, args, "grad")[1];
}

/** Like `grad`, returning `[value, gradients]`. */
export function valueAndGrad<F extends AnyFn>(f: F, argnums: number | readonly number[] = 0) {
  // biome-ignore lint/suspicious/noExplicitAny: the gradient mirrors the structure of the arguments.
  return (...args: Parameters<F>): [Tensor, any] => run(f, argnums, args, "valueAndGrad");
}
