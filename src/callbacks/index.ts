/** `keras.callbacks`. */
export { Callback, type CallbackOptimizer, type CallbackParams, type Logs, type TrainedModel } from "./callback.js";
export { CallbackList, type CallbackListOptions } from "./callback_list.js";
export { CSVLogger } from "./csv_logger.js";
export { EarlyStopping, type EarlyStoppingOptions } from "./early_stopping.js";
export { History } from "./history.js";
export type { OutputStream, PrintFn } from "./io.js";
export { LambdaCallback, type LambdaCallbackHooks } from "./lambda_callback.js";
export { type LearningRateSchedule, LearningRateScheduler } from "./learning_rate_scheduler.js";
export { ModelCheckpoint, type ModelCheckpointOptions } from "./model_checkpoint.js";
export { MonitorCallback, type MonitorMode } from "./monitor_callback.js";
export { Progbar, type ProgbarOptions } from "./progbar.js";
export { ProgbarLogger, type ProgbarLoggerOptions } from "./progbar_logger.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce_lr_on_plateau.js";
export { TerminateOnNaN, type TerminateOnNaNOptions } from "./terminate_on_nan.js";
export { BackupAndRestore, type BackupAndRestoreOptions } from "./backup_and_restore.js";
