/** `keras.models`. */
export { type ConcreteOf, Model, type ModelArgs, type SymbolicStructure } from "./model.js";
// The argument and data types of compile/fit/evaluate/predict (defined in trainers/).
export type { CompileArgs, EvaluateOptions, FitOptions, PredictOptions, StepData } from "../trainers/trainer.js";
export type { Batch, BatchLike, BatchSource, ModelData } from "../trainers/data_adapter.js";
export type { LossConfig, MetricId, MetricsConfig } from "../trainers/compile_utils.js";
export { Sequential } from "./sequential.js";
// keras.models.loadModel / modelFromJson, as Keras exposes them (the code lives in saving/).
export { loadModel, modelFromJson } from "../saving/saving_api.js";
