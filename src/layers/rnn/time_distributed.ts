import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { reshape, split, stack, transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { serializeLayer } from "./rnn.js";

/**
 * Applies `layer` to every timestep of [batch, time, ...] inputs independently (Keras's
 * TimeDistributed): the layer sees [batch, ...] slices, called once per timestep as Keras does.
 */
export class TimeDistributed extends Layer {
  readonly layer: Layer;

  constructor(layer: Layer, args: LayerArgs = {}) {
    super(args);
    if (!(layer instanceof Layer)) {
      throw new Error(
        `${this.describe()}: please initialize TimeDistributed with a keras.layers.Layer instance, received ${String(layer)}.`,
      );
    }
    this.layer = layer;
    this.supportsMasking = false;
  }

  private childInputShape(inputShape: Nested<SpecShape>): SpecShape {
    const shape = inputShape as SpecShape;
    if (!Array.isArray(shape) || shape.length < 3 || !shape.every((d) => d === null || typeof d === "number")) {
      throw new Error(
        `${this.describe()}: TimeDistributed should be passed an input with at least 3 dimensions [batch, time, ...], received shape ${Array.isArray(shape) && shape.every((d) => d === null || typeof d === "number") ? shapeToString(shape) : JSON.stringify(shape)}.`,
      );
    }
    return [shape[0], ...shape.slice(2)];
  }

  override build(inputShape: Nested<SpecShape>): void {
    const child = this.childInputShape(inputShape);
    if (!this.layer.built) {
      this.layer.build(child);
      this.layer.built = true;
      // Keras's paths nest the wrapped layer: "time_distributed/dense/kernel".
      for (const v of this.layer.weights) v.path = `${this.name}/${v.path}`;
    }
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const shape = inputShape as SpecShape;
    const child = this.childInputShape(shape);
    const out = this.layer.computeOutputSpec(new SymbolicTensor(child, this.dtype));
    if (!(out instanceof SymbolicTensor)) {
      throw new Error(`${this.describe()}: the wrapped ${this.layer.describe()} must return a single tensor.`);
    }
    return [out.shape[0], shape[1], ...out.shape.slice(1)];
  }

  override call(inputs: Nested<AnyTensor>, options: CallOptions): AnyTensor {
    const x = inputs as AnyTensor;
    this.childInputShape(x.shape);
    const mask = (options.mask ?? null) as AnyTensor | null;
    if (mask !== null) {
      if (mask.shape.length < 2) {
        throw new Error(
          `${this.describe()}: the mask passed to the TimeDistributed layer must be at least 2D (e.g. [batch, timesteps]), but it has ${mask.shape.length} dimension(s) with shape ${shapeToString(mask.shape)}.`,
        );
      }
      const bad = [0, 1].some((i) => x.shape[i] !== null && mask.shape[i] !== null && x.shape[i] !== mask.shape[i]);
      if (bad) {
        throw new Error(
          `${this.describe()}: the mask passed to the TimeDistributed layer has shape ${shapeToString(mask.shape)}, incompatible with the input shape ${shapeToString(x.shape)}: its first two dimensions (batch size and timesteps) must match the input's.`,
        );
      }
    }
    const time = x.shape[1] as number;
    const toTimeMajor = (t: AnyTensor) =>
      transpose(t, [1, 0, ...Array.from({ length: t.shape.length - 2 }, (_, i) => i + 2)]);
    const steps = time === 1 ? [toTimeMajor(x)] : split(toTimeMajor(x), time, 0);
    const maskSteps = mask === null ? null : time === 1 ? [toTimeMajor(mask)] : split(toTimeMajor(mask), time, 0);
    const outs = steps.map((s, i) => {
      const xi = reshape(s, s.shape.slice(1) as number[]);
      const opts: CallOptions = { training: options.training };
      if (maskSteps) opts.mask = reshape(maskSteps[i], maskSteps[i].shape.slice(1) as number[]);
      const y = this.layer.call(xi, opts);
      if (Array.isArray(y)) {
        throw new Error(`${this.describe()}: the wrapped ${this.layer.describe()} must return a single tensor.`);
      }
      return y as AnyTensor;
    });
    return stack(outs, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }
}
