import { max } from "../../ops/reduction.js";
import type { AnyTensor } from "../../ops/types.js";
import type { Nested } from "../../tree/index.js";
import type { CallOptions } from "../layer.js";
import { BaseGlobalPooling, type GlobalPoolingArgs } from "./base_global_pooling.js";

/** Maximum over the 2 spatial axes (Keras's GlobalMaxPooling2D): [batch, channels], or size-1 axes kept with keepdims. */
export class GlobalMaxPooling2D extends BaseGlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }

  override call(inputs: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
    return max(inputs as AnyTensor, this.spatialAxes, this.keepdims);
  }
}
