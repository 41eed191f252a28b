import { Model } from "../models/model.js";
import { loadWeights, modelToJson, saveModel, saveWeights } from "./saving_api.js";
import type { LoadWeightsOptions } from "./weights.js";

/**
 * Saving methods of Model (Keras's model.save / save_weights / load_weights / to_json), added here so
 * that models/ does not depend on saving/ (declaration merging gives them their types).
 */
declare module "../models/model.js" {
  interface Model<O> {
    /** Saves the model as a Keras 3 `.keras` file (config, weights, compile state, optimizer). */
    save(path: string): Promise<void>;
    /** Saves the model's variables as a Keras 3 `.weights.h5` file. */
    saveWeights(path: string): Promise<void>;
    /** Loads variables from a `.weights.h5` (or `.keras`) file written by Keras 3 or keras-ts. */
    loadWeights(path: string, options?: LoadWeightsOptions): Promise<void>;
    /** The model's config as Keras's JSON (no weights). */
    toJSON(): string;
  }
}

Object.assign(Model.prototype, {
  save(this: Model, path: string): Promise<void> {
    return saveModel(this, path);
  },
  saveWeights(this: Model, path: string): Promise<void> {
    return saveWeights(this, path);
  },
  loadWeights(this: Model, path: string, options?: LoadWeightsOptions): Promise<void> {
    return loadWeights(this, path, options);
  },
  toJSON(this: Model): string {
    return modelToJson(this);
  },
});
