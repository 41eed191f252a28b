import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 2-D average pooling (Keras's AveragePooling2D): poolSize default 2, strides default poolSize. */
export class AveragePooling2D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 2, "average", args);
  }
}
