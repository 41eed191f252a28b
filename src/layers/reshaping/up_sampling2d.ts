import type { DType } from "../../backend/dtypes.js";
import type { SpecShape } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import { einsum } from "../../ops/linalg.js";
import { repeat, transpose } from "../../ops/shape.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import { InputSpec } from "../input_spec.js";
import { type CallOptions, Layer, type LayerArgs } from "../layer.js";
import { standardizeDataFormat } from "./flatten.js";
import { shapeString, spatialAxes, standardizeTuple } from "./spatial_args.js";

export interface UpSampling2DArgs extends LayerArgs {
  /** "channelsLast" (default) or "channelsFirst" (Keras's spellings accepted too). */
  dataFormat?: string;
  /** "nearest" (default: repeats rows and columns) or "bilinear" (half-pixel centres, as Keras's image.resize). */
  interpolation?: string;
}

const INTERPOLATIONS = ["nearest", "bilinear"];

/**
 * Upsamples rows by size[0] and columns by size[1] (Keras's UpSampling2D): "nearest" repeats them,
 * "bilinear" interpolates as Keras's `ops.image.resize` (JAX's scale_and_translate with a triangle
 * kernel: half-pixel centres, weights renormalized at the borders, i.e. edge values clamped).
 */
export class UpSampling2D extends Layer {
  readonly size: number[];
  readonly dataFormat: "channels_last" | "channels_first";
  readonly interpolation: string;

  constructor(size: number | readonly number[] = [2, 2], args: UpSampling2DArgs = {}) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.describe());
    this.size = standardizeTuple(size as number | number[], 2, "size", this.describe());
    const interpolation = String(args.interpolation ?? "nearest").toLowerCase();
    if (!INTERPOLATIONS.includes(interpolation)) {
      throw new Error(
        `${this.describe()}: interpolation must be one of ${INTERPOLATIONS.map((s) => `"${s}"`).join(", ")}, received ${JSON.stringify(args.interpolation)}.`,
      );
    }
    this.interpolation = interpolation;
    this.inputSpec = new InputSpec({ ndim: 4 });
  }

  override computeOutputShape(inputShape: Nested<SpecShape>): Nested<SpecShape> {
    const out = (inputShape as SpecShape).slice();
    spatialAxes(4, this.dataFormat).forEach((axis, i) => {
      const d = out[axis];
      out[axis] = d === null ? null : d * this.size[i];
    });
    return out;
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    let x = inputs as AnyTensor;
    if (this.dataFormat === "channels_first") x = transpose(x, [0, 2, 3, 1]);
    if (this.interpolation === "nearest") {
      x = repeat(repeat(x, this.size[0], 1), this.size[1], 2);
    } else {
      if (x.dtype !== "float32" && x.dtype !== "float64") {
        throw new TypeError(
          `${this.describe()}: bilinear interpolation needs float inputs, received dtype ${x.dtype} (shape ${shapeString(x.shape)}).`,
        );
      }
      const [h, w] = [x.shape[1] as number, x.shape[2] as number];
      const wh = resizeWeights(h, h * this.size[0], x.dtype);
      const ww = resizeWeights(w, w * this.size[1], x.dtype);
      x = einsum("jq,biqc->bijc", ww, einsum("ip,bpqc->biqc", wh, x));
    }
    if (this.dataFormat === "channels_first") x = transpose(x, [0, 3, 1, 2]);
    return x;
  }

  /** Rebuilds the layer from `getConfig()`'s output. */
  static fromConfig(config: Record<string, unknown>): UpSampling2D {
    const { size, ...rest } = config;
    return new UpSampling2D(size as number[], rest);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      size: this.size.slice(),
      dataFormat: this.dataFormat,
      interpolation: this.interpolation,
    };
  }
}

/**
 * The [outSize, inSize] matrix of linear-interpolation weights of JAX's `compute_weight_mat`
 * (scale = outSize / inSize, no translation, triangle kernel, no antialiasing on upsampling):
 * sample points at (i + 0.5) / scale - 0.5, weights 1 - |distance| normalized over the input.
 */
export function resizeWeights(inSize: number, outSize: number, dtype: DType): Tensor {
  const m = Tensor.empty([outSize, inSize], dtype);
  const invScale = inSize / outSize;
  const col = new Float64Array(inSize);
  for (let i = 0; i < outSize; i++) {
    const f = (i + 0.5) * invScale - 0.5;
    let total = 0;
    for (let p = 0; p < inSize; p++) {
      col[p] = Math.max(0, 1 - Math.abs(f - p));
      total += col[p];
    }
    const inside = f >= -0.5 && f <= inSize - 0.5;
    for (let p = 0; p < inSize; p++) {
      m.data[i * inSize + p] = inside && Math.abs(total) > 1000 * 1.1920929e-7 ? col[p] / total : 0;
    }
  }
  return m;
}
