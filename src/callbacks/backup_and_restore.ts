import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Callback, type Logs, type TrainedModel } from "./callback.js";

export interface BackupAndRestoreOptions {
  /** "epoch" (default): back up at the end of every epoch; a number: every that many batches. */
  saveFreq?: "epoch" | number;
  /** Keep the previous backup too, and fall back to it when the latest cannot be read (false). */
  doubleCheckpoint?: boolean;
  /** Delete the backup folder when training ends normally (true). */
  deleteCheckpoint?: boolean;
}

/** What BackupAndRestore uses of the model beyond TrainedModel (keras-ts's Model has all of it). */
interface RestorableModel extends TrainedModel {
  built?: boolean;
  trainableWeights?: unknown[];
  saveWeights?(filepath: string, options?: { overwrite?: boolean }): unknown;
  loadWeights?(filepath: string): Promise<void> | void;
  /** The epoch fit() starts from, set in onTrainBegin (Keras's model._initial_epoch). */
  _initialEpoch?: number | null;
}

/**
 * Backs up the training state (weights, optimizer state and epoch) to `backupDir` during fit(), and
 * restores it when fit() is called again after an interruption, so that training resumes at the
 * interrupted epoch (Keras's BackupAndRestore). Files: `latest.weights.h5` and
 * `training_metadata.json` (`{"epoch": ..., "batch": ...}`), as Keras writes them.
 */
export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly saveFreq: "epoch" | number;
  readonly doubleCheckpoint: boolean;
  readonly deleteCheckpoint: boolean;
  private batchesSeenSinceLastSaving = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;
  private readonly weightsPath: string;
  private readonly metadataPath: string;
  private readonly prevWeightsPath: string;
  private readonly prevMetadataPath: string;

  constructor(backupDir: string, options: BackupAndRestoreOptions = {}) {
    super();
    if (!backupDir) throw new Error("BackupAndRestore: empty `backupDir` argument passed.");
    this.backupDir = backupDir;
    this.saveFreq = options.saveFreq ?? "epoch";
    this.doubleCheckpoint = options.doubleCheckpoint ?? false;
    this.deleteCheckpoint = options.deleteCheckpoint ?? true;
    if (this.saveFreq !== "epoch" && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new Error(
        `BackupAndRestore: invalid value for argument \`saveFreq\`. Received: saveFreq=${String(this.saveFreq)}. Expected either "epoch" or a positive integer.`,
      );
    }
    this.weightsPath = join(backupDir, "latest.weights.h5");
    this.metadataPath = join(backupDir, "training_metadata.json");
    this.prevWeightsPath = `${this.weightsPath}.bkp`;
    this.prevMetadataPath = `${this.metadataPath}.bkp`;
  }

  private get restorable(): RestorableModel {
    const model = this.model as RestorableModel | null;
    if (!model || typeof model.saveWeights !== "function" || typeof model.loadWeights !== "function") {
      throw new Error(
        `BackupAndRestore: model '${model?.name}' has no saveWeights()/loadWeights() methods, so its training state cannot be backed up.`,
      );
    }
    return model;
  }

  override async onTrainBegin(_logs?: Logs): Promise<void> {
    this.currentEpoch = 0;
    this.lastBatchSeen = 0;
    this.batchesSeenSinceLastSaving = 0;
    try {
      await this.loadState();
    } catch (e) {
      if (!existsSync(this.prevWeightsPath)) throw e;
      // The latest backup is unreadable: fall back to the previous one (doubleCheckpoint).
      copyFileSync(this.prevWeightsPath, this.weightsPath);
      if (existsSync(this.prevMetadataPath)) copyFileSync(this.prevMetadataPath, this.metadataPath);
      else rmSync(this.metadataPath, { force: true });
      await this.loadState();
    }
  }

  private async loadState(): Promise<void> {
    const model = this.restorable;
    if (model.built === false) {
      throw new Error(
        `BackupAndRestore: to use the BackupAndRestore callback, your model must be built before you call fit(). Model '${model.name}' is unbuilt. You can build it beforehand by calling it on a batch of data.`,
      );
    }
    // loadWeights also restores the optimizer's state (building the optimizer first, as Keras does).
    if (existsSync(this.weightsPath)) await model.loadWeights?.(this.weightsPath);
    if (existsSync(this.metadataPath)) {
      const meta = JSON.parse(readFileSync(this.metadataPath, "utf8")) as { epoch: number };
      model._initialEpoch = meta.epoch;
      this.currentEpoch = meta.epoch;
    }
  }

  override async onEpochEnd(epoch: number, _logs?: Logs): Promise<void> {
    this.currentEpoch = epoch + 1;
    this.lastBatchSeen = 0;
    if (this.saveFreq === "epoch") await this.saveState();
  }

  override async onTrainBatchEnd(batch: number, _logs?: Logs): Promise<void> {
    if (this.shouldSaveOnBatch(batch)) await this.saveState();
  }

  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === "epoch") return false;
    const add = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSeenSinceLastSaving += add;
    this.lastBatchSeen = batch;
    if (this.batchesSeenSinceLastSaving >= this.saveFreq) {
      this.batchesSeenSinceLastSaving = 0;
      return true;
    }
    return false;
  }

  private async saveState(): Promise<void> {
    const model = this.restorable;
    mkdirSync(this.backupDir, { recursive: true });
    if (this.doubleCheckpoint && existsSync(this.weightsPath)) copyFileSync(this.weightsPath, this.prevWeightsPath);
    if (this.doubleCheckpoint && existsSync(this.metadataPath)) copyFileSync(this.metadataPath, this.prevMetadataPath);
    await model.saveWeights?.(this.weightsPath, { overwrite: true });
    writeFileSync(this.metadataPath, JSON.stringify({ epoch: this.currentEpoch, batch: this.lastBatchSeen }));
  }

  override onTrainEnd(_logs?: Logs): void {
    // Training finished: the next fit() starts afresh.
    const model = this.model as RestorableModel | null;
    if (model) model._initialEpoch = null;
    if (this.deleteCheckpoint && existsSync(this.backupDir)) rmSync(this.backupDir, { recursive: true, force: true });
  }
}
