import { BaseSeparableConv, type SeparableConvArgs } from "./base_separable_conv.js";

/** 2-D separable convolution (Keras's SeparableConv2D): depthwise then pointwise convolution. */
export class SeparableConv2D extends BaseSeparableConv {
  constructor(filters: number, kernelSize: number | readonly number[], args: SeparableConvArgs = {}) {
    super(2, filters, kernelSize, args);
  }
}
