import * as layersModule from "../layers/index.js";
import type { Layer } from "../layers/layer.js";

/**
 * Built-in layers by Keras class name. Every class exported from `keras.layers` is found by its name
 * (the catalogue follows Keras's names), so new layers need no entry here unless their constructor
 * takes positional arguments: those are listed below, in constructor order, by camelCase config key.
 * A class may instead define `static fromConfig(config)` (camelCase keys), which takes precedence.
 */
const POSITIONAL: Record<string, readonly string[]> = {
  Dense: ["units"],
  EinsumDense: ["equation", "outputShape"],
  Embedding: ["inputDim", "outputDim"],
  Activation: ["activation"],
  Dropout: ["rate"],
  SpatialDropout1D: ["rate"],
  SpatialDropout2D: ["rate"],
  SpatialDropout3D: ["rate"],
  GaussianDropout: ["rate"],
  AlphaDropout: ["rate"],
  GaussianNoise: ["stddev"],
  Reshape: ["targetShape"],
  Permute: ["dims"],
  RepeatVector: ["n"],
  Dot: ["axes"],
  UpSampling1D: ["size"],
  UpSampling2D: ["size"],
  UpSampling3D: ["size"],
  ZeroPadding1D: ["padding"],
  ZeroPadding2D: ["padding"],
  ZeroPadding3D: ["padding"],
  Cropping1D: ["cropping"],
  Cropping2D: ["cropping"],
  Cropping3D: ["cropping"],
  Conv1D: ["filters", "kernelSize"],
  Conv2D: ["filters", "kernelSize"],
  Conv3D: ["filters", "kernelSize"],
  Conv1DTranspose: ["filters", "kernelSize"],
  Conv2DTranspose: ["filters", "kernelSize"],
  Conv3DTranspose: ["filters", "kernelSize"],
  SeparableConv1D: ["filters", "kernelSize"],
  SeparableConv2D: ["filters", "kernelSize"],
  DepthwiseConv1D: ["kernelSize"],
  DepthwiseConv2D: ["kernelSize"],
  MaxPooling1D: ["poolSize"],
  MaxPooling2D: ["poolSize"],
  MaxPooling3D: ["poolSize"],
  AveragePooling1D: ["poolSize"],
  AveragePooling2D: ["poolSize"],
  AveragePooling3D: ["poolSize"],
  SimpleRNN: ["units"],
  LSTM: ["units"],
  GRU: ["units"],
  SimpleRNNCell: ["units"],
  LSTMCell: ["units"],
  GRUCell: ["units"],
  ConvLSTM1D: ["filters", "kernelSize"],
  ConvLSTM2D: ["filters", "kernelSize"],
  ConvLSTM3D: ["filters", "kernelSize"],
  RNN: ["cell"],
  Bidirectional: ["layer"],
  TimeDistributed: ["layer"],
  MultiHeadAttention: ["numHeads", "keyDim"],
  GroupQueryAttention: ["headDim", "numQueryHeads", "numKeyValueHeads"],
};

/**
 * Keras layers that keep no build shapes (get_build_config() is None once called, measured on
 * Keras 3.15.1): Keras writes no build_config for them. keras-ts layers may define build() where
 * Keras's do not (or the reverse), so Keras's list decides.
 */
const NO_BUILD = new Set([
  "Activation",
  "ActivityRegularization",
  "AlphaDropout",
  "AveragePooling1D",
  "AveragePooling2D",
  "AveragePooling3D",
  "Dropout",
  "ELU",
  "GaussianDropout",
  "GaussianNoise",
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
  "GlobalAveragePooling3D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
  "GlobalMaxPooling3D",
  "Identity",
  "InputLayer",
  "Lambda",
  "LeakyReLU",
  "Masking",
  "MaxPooling1D",
  "MaxPooling2D",
  "MaxPooling3D",
  "ReLU",
  "Reshape",
  "Softmax",
  "SpatialDropout1D",
  "SpatialDropout2D",
  "SpatialDropout3D",
  "UnitNormalization",
]);

/**
 * Config keys a keras-ts getConfig has that Keras's get_config leaves out and Keras's constructor
 * refuses (Keras 3.15.1's BaseSpatialDropout writes rate, seed, name and dtype only).
 */
const KERAS_OMITS: Record<string, readonly string[]> = {
  SpatialDropout1D: ["trainable"],
  SpatialDropout2D: ["trainable"],
  SpatialDropout3D: ["trainable"],
};

/** The camelCase config keys Keras does not write for this class. */
export function kerasOmittedKeys(className: string): readonly string[] {
  return KERAS_OMITS[className] ?? [];
}

/**
 * Layers whose Keras call takes several tensors as separate arguments, which keras-ts passes as one
 * object: `mha(query, value, key, attention_mask=...)` in Keras is `mha({ query, value, key,
 * attentionMask })` here. Listed: the leading positional names, in Keras's order.
 */
const CALL_ARGS: Record<string, readonly string[]> = {
  MultiHeadAttention: ["query", "value", "key"],
  GroupQueryAttention: ["query", "value", "key"],
};

/** Keras's positional call arguments of this class, when keras-ts takes them as one object. */
export function kerasCallArgs(className: string): readonly string[] | undefined {
  return CALL_ARGS[className];
}

/** Whether Keras writes a build_config for this built-in class (custom classes: always). */
export function hasKerasBuildConfig(className: string): boolean {
  return !NO_BUILD.has(className);
}

// biome-ignore lint/suspicious/noExplicitAny: layer constructors take varied arguments.
export type LayerClass = (new (...args: any[]) => Layer) & { fromConfig?: (config: Record<string, unknown>) => Layer };

/** The built-in layer class named `className` in Keras, if keras-ts has it. */
export function builtinLayerClass(className: string): LayerClass | undefined {
  const c = (layersModule as Record<string, unknown>)[className];
  if (typeof c !== "function" || !(c.prototype instanceof (layersModule.Layer as unknown as typeof Function))) {
    return undefined;
  }
  return c as LayerClass;
}

/** Constructs a layer from a camelCase config: positional arguments first, the rest as the options object. */
export function constructLayer(cls: LayerClass, className: string, config: Record<string, unknown>): Layer {
  if (typeof cls.fromConfig === "function") return cls.fromConfig(config);
  const rest = { ...config };
  const positional = (POSITIONAL[className] ?? []).map((k) => {
    const v = rest[k];
    delete rest[k];
    return v;
  });
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  return new cls(...positional, rest);
}
