/** `keras.utils`. */
export { getRandomSeed, setRandomSeed } from "../random/index.js";
export { resetNames as clearSession } from "./naming.js";
export { summary, type SummaryOptions } from "./summary.js";
export { Progbar, type ProgbarOptions } from "../callbacks/progbar.js";
export {
  modelToDot,
  plotModel,
  type ModelToDotOptions,
  type PlotModelOptions,
  type PlotModelResult,
} from "./plot_model.js";
export {
  historyToSvg,
  plotHistory,
  type HistoryLike,
  type PlotHistoryOptions,
  type PlotHistoryResult,
} from "./plot_history.js";
