/** Argument checks shared by the convolution and pooling layers (Keras's argument_validation). */

export type DataFormat = "channels_last" | "channels_first";

/** An int or a list of `n` ints, as Keras's standardize_tuple: one value per spatial axis. */
export function standardizeTuple(
  value: number | readonly number[],
  n: number,
  name: string,
  who: string,
  allowZero = false,
): number[] {
  const list = typeof value === "number" ? new Array<number>(n).fill(value) : Array.isArray(value) ? value.slice() : [];
  const min = allowZero ? 0 : 1;
  if (list.length !== n || list.some((d) => !Number.isInteger(d) || d < min)) {
    throw new Error(
      `${who}: ${name} must be an integer >= ${min} or a list of ${n} such integers, received ${JSON.stringify(value)}.`,
    );
  }
  return list;
}

/** "valid" or "same" ("causal" where allowed: Conv1D), case-insensitive as in Keras. */
export function standardizePadding(padding: string | undefined, who: string, allowCausal = false): string {
  const p = (padding ?? "valid").toLowerCase();
  const allowed = allowCausal ? ["valid", "same", "causal"] : ["valid", "same"];
  if (!allowed.includes(p)) {
    throw new Error(
      `${who}: padding must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, received ${JSON.stringify(padding)}.`,
    );
  }
  return p;
}

/** Keras's data formats from either spelling ("channels_last" or "channelsLast"); default channels_last. */
export function standardizeDataFormat(value: string | null | undefined, who: string): DataFormat {
  const v = (value ?? "channels_last").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  if (v !== "channels_last" && v !== "channels_first") {
    throw new Error(
      `${who}: dataFormat must be "channels_last" or "channels_first", received ${JSON.stringify(value)}.`,
    );
  }
  return v;
}

/** A positive integer argument (filters, depthMultiplier, groups). */
export function positiveInt(value: number, name: string, who: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${who}: ${name} must be a positive integer, received ${JSON.stringify(value)}.`);
  }
  return value;
}

/** The channel axis and its size; the size must be known to create weights. */
export function inputChannels(
  shape: readonly (number | null)[],
  dataFormat: DataFormat,
  who: string,
): { axis: number; channels: number } {
  const axis = dataFormat === "channels_last" ? -1 : 1;
  const c = shape[axis === -1 ? shape.length - 1 : 1];
  if (c === null || c === undefined) {
    throw new Error(
      `${who}: the channel axis (${dataFormat === "channels_last" ? "last" : "1"}) of the input must be known, received shape [${shape.map((d) => d ?? "null").join(", ")}].`,
    );
  }
  return { axis, channels: c };
}

/** Shape to broadcast a per-channel bias against an output of `rank` spatial axes. */
export function biasShape(channels: number, rank: number, dataFormat: DataFormat): number[] {
  const ones = new Array<number>(rank).fill(1);
  return dataFormat === "channels_last" ? [1, ...ones, channels] : [1, channels, ...ones];
}

/** The spatial arguments every convolution layer takes, as standardized tuples. */
export interface SpatialArgs {
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: string;
  dataFormat: DataFormat;
}

/**
 * kernelSize, strides, dilationRate (one per spatial axis), padding and dataFormat, checked as Keras;
 * `causal` allows Conv1D's causal padding, `stridedDilation: false` rejects strides > 1 with
 * dilationRate > 1 (as Keras's BaseConv and BaseConvTranspose do).
 */
export function standardizeSpatialArgs(
  rank: number,
  kernelSize: number | readonly number[],
  args: {
    strides?: number | readonly number[];
    dilationRate?: number | readonly number[];
    padding?: string;
    dataFormat?: string | null;
  },
  who: string,
  { causal = false, stridedDilation = true } = {},
): SpatialArgs {
  const size = standardizeTuple(kernelSize, rank, "kernelSize", who);
  const strides = standardizeTuple(args.strides ?? 1, rank, "strides", who);
  const dilationRate = standardizeTuple(args.dilationRate ?? 1, rank, "dilationRate", who);
  if (!stridedDilation && Math.max(...strides) > 1 && Math.max(...dilationRate) > 1) {
    throw new Error(
      `${who}: strides > 1 is not supported together with dilationRate > 1, received strides=[${strides}] and dilationRate=[${dilationRate}].`,
    );
  }
  const padding = standardizePadding(args.padding, who, causal);
  return { kernelSize: size, strides, dilationRate, padding, dataFormat: standardizeDataFormat(args.dataFormat, who) };
}

/** The config entries of SpatialArgs (copies of the tuples), in Keras's order; `between` goes after padding. */
export function spatialConfig(layer: SpatialArgs, between: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kernelSize: layer.kernelSize.slice(),
    strides: layer.strides.slice(),
    padding: layer.padding,
    ...between,
    dataFormat: layer.dataFormat,
    dilationRate: layer.dilationRate.slice(),
  };
}
