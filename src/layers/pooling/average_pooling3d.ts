import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 3-D average pooling (Keras's AveragePooling3D): poolSize default 2, strides default poolSize. */
export class AveragePooling3D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 3, "average", args);
  }
}
