/** `keras.saving`: Keras 3's `.keras` and `.weights.h5` files, and the custom-object registry. */
import "./model_methods.js";

export {
  customObjectScope,
  getCustomObjects,
  getRegisteredName,
  getRegisteredObject,
  type RegisterOptions,
  registerKerasSerializable,
} from "./object_registration.js";
export { compileConfigOf, compileFromConfig } from "./compile_config.js";
export {
  KERAS_FORMAT_VERSION,
  type LoadOptions,
  loadModel,
  loadWeights,
  modelFromJson,
  modelToJson,
  saveModel,
  saveWeights,
} from "./saving_api.js";
export { deserializeLayer as deserializeKerasObject, serializeLayer as serializeKerasObject } from "./serialization.js";
export type { LoadWeightsOptions } from "./weights.js";
export type { CustomObjects, KerasObject } from "./serialization.js";
export type { Registrable } from "./object_registration.js";
