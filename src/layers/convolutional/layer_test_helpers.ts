/**
 * Test helpers for the convolution, pooling and normalization layers (used by their tests only):
 * builds layers from Keras-style kwargs of the Keras-generated fixtures, runs a fixture case, and
 * checks a layer's gradients (inputs and trainable weights) against central finite differences.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { toTensor } from "../../backend/convert.js";
import { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import { GradientTape } from "../../autodiff/tape.js";
import { multiply } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduction.js";
import { assertClose, randomTensor } from "../../testing/gradcheck.js";
import type { CallOptions, Layer } from "../layer.js";
import { BatchNormalization } from "../normalization/batch_normalization.js";
import { GroupNormalization } from "../normalization/group_normalization.js";
import { LayerNormalization } from "../normalization/layer_normalization.js";
import { UnitNormalization } from "../normalization/unit_normalization.js";
import { AveragePooling1D } from "../pooling/average_pooling1d.js";
import { AveragePooling2D } from "../pooling/average_pooling2d.js";
import { AveragePooling3D } from "../pooling/average_pooling3d.js";
import { GlobalAveragePooling1D } from "../pooling/global_average_pooling1d.js";
import { GlobalAveragePooling2D } from "../pooling/global_average_pooling2d.js";
import { GlobalAveragePooling3D } from "../pooling/global_average_pooling3d.js";
import { GlobalMaxPooling1D } from "../pooling/global_max_pooling1d.js";
import { GlobalMaxPooling2D } from "../pooling/global_max_pooling2d.js";
import { GlobalMaxPooling3D } from "../pooling/global_max_pooling3d.js";
import { MaxPooling1D } from "../pooling/max_pooling1d.js";
import { MaxPooling2D } from "../pooling/max_pooling2d.js";
import { MaxPooling3D } from "../pooling/max_pooling3d.js";
import { Conv1D } from "./conv1d.js";
import { Conv1DTranspose } from "./conv1d_transpose.js";
import { Conv2D } from "./conv2d.js";
import { Conv2DTranspose } from "./conv2d_transpose.js";
import { Conv3D } from "./conv3d.js";
import { Conv3DTranspose } from "./conv3d_transpose.js";
import { DepthwiseConv1D } from "./depthwise_conv1d.js";
import { DepthwiseConv2D } from "./depthwise_conv2d.js";
import { SeparableConv1D } from "./separable_conv1d.js";
import { SeparableConv2D } from "./separable_conv2d.js";

export interface FixtureCase {
  name: string;
  class: string;
  kwargs: Record<string, unknown>;
  input: unknown[];
  mask?: unknown[];
  training?: boolean;
  weights: { path: string; shape: number[]; trainable: boolean; values: unknown }[];
  output: unknown[];
  after?: unknown[];
  inference?: unknown[];
  /** Where Keras itself computes in float32 (see the fixture script). */
  rtol?: number;
}

export function loadCases(url: URL): FixtureCase[] {
  return JSON.parse(readFileSync(url, "utf8")).cases;
}

// biome-ignore lint/suspicious/noExplicitAny: constructors of different signatures, called from kwargs.
type Ctor = new (...args: any[]) => Layer;
const FILTERS_KERNEL: Record<string, Ctor> = {
  Conv1D,
  Conv2D,
  Conv3D,
  Conv1DTranspose,
  Conv2DTranspose,
  Conv3DTranspose,
  SeparableConv1D,
  SeparableConv2D,
};
const KERNEL: Record<string, Ctor> = { DepthwiseConv1D, DepthwiseConv2D };
const POOL: Record<string, Ctor> = {
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
};
const ARGS_ONLY: Record<string, Ctor> = {
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  BatchNormalization,
  LayerNormalization,
  GroupNormalization,
  UnitNormalization,
};

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The keras-ts layer for Keras's class name and snake_case kwargs (positional arguments as keras-ts takes them). */
export function makeLayer(cls: string, kwargs: Record<string, unknown>, dtype = "float64"): Layer {
  const rest: Record<string, unknown> = { dtype };
  for (const [k, v] of Object.entries(kwargs)) {
    if (k !== "filters" && k !== "kernel_size" && k !== "pool_size") rest[camel(k)] = v;
  }
  if (FILTERS_KERNEL[cls]) return new FILTERS_KERNEL[cls](kwargs.filters, kwargs.kernel_size, rest);
  if (KERNEL[cls]) return new KERNEL[cls](kwargs.kernel_size, rest);
  if (POOL[cls]) return new POOL[cls](kwargs.pool_size ?? 2, rest);
  if (ARGS_ONLY[cls]) return new ARGS_ONLY[cls](rest);
  throw new Error(`no layer for ${cls}`);
}

/**
 * Runs a Keras fixture case: same weight names, shapes, trainability and order as Keras, the same
 * outputs (float64, so to 1e-10), and for BatchNormalization the moving statistics and inference output.
 */
export function runCase(c: FixtureCase): void {
  const layer = makeLayer(c.class, c.kwargs);
  const x = toTensor(c.input as number[], "float64");
  layer(x); // builds (inference: moving statistics untouched)
  assert.deepEqual(
    layer.weights.map((w) => [w.name, w.shape, w.trainable]),
    c.weights.map((w) => [w.path, w.shape, w.trainable]),
    `${c.name}: weights`,
  );
  assert.ok(
    layer.weights.every((w) => w.path === `${layer.name}/${w.name}`),
    `${c.name}: weight paths`,
  );
  layer.setWeights(c.weights.map((w) => toTensor(w.values as number[], "float64")));
  const options: CallOptions = {};
  if (c.mask) options.mask = toTensor(c.mask as boolean[], "bool");
  if (c.training !== undefined) options.training = c.training;
  const y = layer(x, options);
  const tol = { rtol: c.rtol ?? 1e-9, atol: (c.rtol ?? 1e-9) / 10 };
  assertClose(y, toTensor(c.output as number[], "float64"), tol);
  if (c.after) {
    layer.weights.forEach((w, i) => {
      assertClose(w.peek(), toTensor(c.after?.[i] as number[], "float64"), tol);
    });
  }
  if (c.inference) {
    assertClose(layer(x, { training: false }), toTensor(c.inference as number[], "float64"), tol);
  }
}

/**
 * Checks d(sum(layer(x) * r))/d(x and every trainable weight) from GradientTape against central
 * finite differences (float64 layer and input; weights perturbed through `assign`).
 */
export function checkLayerGrad(layer: Layer, x: Tensor, options: CallOptions = {}, eps = 1e-6, tol = 1e-6): void {
  let r: Tensor | null = null;
  const loss = (input: Tensor): Tensor => {
    const y = layer(input, options);
    if (!r) r = randomTensor(y.shape, 17, 0.5, 1.5);
    return sum(multiply(y, r)) as Tensor;
  };
  loss(x); // builds
  const vars: Variable[] = layer.trainableWeights;
  assert.ok(vars.length > 0 || layer.weights.length === 0, "trainable weights");
  const tape = new GradientTape();
  const value = tape.record(() => {
    tape.watch(x);
    return loss(x);
  });
  const grads = tape.gradient(value, [x, ...vars]);
  const numeric = (base: Tensor, evalAt: (t: Tensor) => number, g: Tensor | null, what: string) => {
    assert.ok(g, `${what}: no gradient`);
    assert.deepEqual(g.shape, base.shape, `${what}: gradient shape`);
    for (let i = 0; i < base.size; i++) {
      const at = (d: number) => {
        const t = new Tensor(Float64Array.from(base.data), base.shape.slice(), "float64");
        t.data[i] += d;
        return evalAt(t);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      const a = (g as Tensor).data[i] as number;
      if (!(Math.abs(a - fd) <= tol + tol * Math.abs(fd))) {
        assert.fail(`${layer.describe()} ${what}, element ${i}: tape ${a} vs finite difference ${fd}`);
      }
    }
  };
  numeric(x, (t) => loss(t).item() as number, grads[0], "input");
  vars.forEach((v, k) => {
    const base = v.peek();
    const evalAt = (t: Tensor) => {
      v.assign(t);
      const l = loss(x).item() as number;
      v.assign(base);
      return l;
    };
    numeric(base, evalAt, grads[k + 1], `weight ${v.name}`);
  });
}
