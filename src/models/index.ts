/** `keras.models`. */
export { Model, type ModelArgs } from "./model.js";
export { Sequential } from "./sequential.js";
// keras.models.loadModel / modelFromJson, as Keras exposes them (the code lives in saving/).
export { loadModel, modelFromJson } from "../saving/saving_api.js";
