/** `keras.models`. */
export { Model, type ModelArgs } from "./model.js";
export { Sequential } from "./sequential.js";
