/** `keras.utils`. */
export { getRandomSeed, setRandomSeed } from "../random/index.js";
export { resetNames as clearSession } from "./naming.js";
export { summary, type SummaryOptions } from "./summary.js";
