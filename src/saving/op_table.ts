import * as ops from "../ops/index.js";
import type { OpNode } from "../ops/registry.js";
import type { AnyTensor } from "../ops/types.js";

/**
 * Ops applied to symbolic tensors in a functional model, as Keras 3 serializes them: each call is an
 * operation of class `keras.src.ops.numpy.Absolute`, `...Add`, `keras.src.ops.nn.Relu`, ... with its
 * arguments in the node. This table maps keras-ts op names to those classes and back.
 */
interface OpEntry {
  /** keras-ts op name (OpDef.name) and public function in `ops`. */
  fn: string;
  module: "keras.src.ops.numpy" | "keras.src.ops.nn";
  className: string;
}

const ENTRIES: OpEntry[] = [
  ["abs", "Absolute"],
  ["negative", "Negative"],
  ["square", "Square"],
  ["sqrt", "Sqrt"],
  ["exp", "Exp"],
  ["expm1", "Expm1"],
  ["log", "Log"],
  ["log1p", "Log1p"],
  ["tanh", "Tanh"],
  ["sin", "Sin"],
  ["cos", "Cos"],
  ["tan", "Tan"],
  ["sign", "Sign"],
  ["floor", "Floor"],
  ["ceil", "Ceil"],
  ["reciprocal", "Reciprocal"],
  ["add", "Add"],
  ["subtract", "Subtract"],
  ["multiply", "Multiply"],
  ["divide", "Divide"],
  ["maximum", "Maximum"],
  ["minimum", "Minimum"],
  ["power", "Power"],
  ["concatenate", "Concatenate"],
].map(([fn, className]) => ({ fn, module: "keras.src.ops.numpy", className }) as OpEntry);
ENTRIES.push(
  { fn: "relu", module: "keras.src.ops.nn", className: "Relu" },
  { fn: "sigmoid", module: "keras.src.ops.nn", className: "Sigmoid" },
);

const BY_OP = new Map(ENTRIES.map((e) => [e.fn, e]));
const BY_CLASS = new Map(ENTRIES.map((e) => [e.className, e]));

export interface KerasOpSpec {
  module: string;
  className: string;
  config: Record<string, unknown>;
  /** The node's positional arguments from the op's inputs. */
  args(inputs: readonly AnyTensor[]): unknown[];
}

/** How Keras writes this op node; throws naming the op when keras-ts does not know its Keras form. */
export function kerasOpFor(node: OpNode): KerasOpSpec {
  const entry = BY_OP.get(node.op.name);
  if (!entry) {
    throw new Error(
      `ops.${node.op.name} on symbolic tensors cannot be saved in a .keras file yet (saved ops: ${[...BY_OP.keys()].join(", ")}). Wrap it in a layer, or a Lambda layer with a registered function.`,
    );
  }
  if (entry.fn === "concatenate") {
    const axis = (node.attrs as { axis: number }).axis;
    return { module: entry.module, className: entry.className, config: { axis }, args: (xs) => [xs.slice()] };
  }
  return { module: entry.module, className: entry.className, config: {}, args: (xs) => xs.slice() };
}

/** Applies the keras-ts op for a Keras op record to revived arguments. */
export function opFromKeras(
  className: string,
  module: string,
  config: Record<string, unknown>,
  args: unknown[],
  kwargs: Record<string, unknown>,
  name: string,
): unknown {
  const entry = BY_CLASS.get(className);
  if (!entry) {
    throw new Error(
      `Operation '${name}' (${module}.${className}): keras-ts cannot load this Keras op yet (known: ${[...BY_CLASS.keys()].join(", ")}).`,
    );
  }
  const fn = (ops as unknown as Record<string, (...a: unknown[]) => unknown>)[entry.fn];
  if (entry.fn === "concatenate") return fn(args[0], (kwargs.axis ?? config.axis ?? 0) as number);
  return fn(...args);
}
