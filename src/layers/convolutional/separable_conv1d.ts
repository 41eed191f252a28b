import { BaseSeparableConv, type SeparableConvArgs } from "./base_separable_conv.js";

/** 1-D separable convolution (Keras's SeparableConv1D): depthwise then pointwise convolution. */
export class SeparableConv1D extends BaseSeparableConv {
  constructor(filters: number, kernelSize: number | readonly number[], args: SeparableConvArgs = {}) {
    super(1, filters, kernelSize, args);
  }
}
