import { BaseConvTranspose, type ConvTransposeArgs } from "./base_conv_transpose.js";

/** 2-D transposed convolution (Keras's Conv2DTranspose), e.g. to upsample in a decoder. */
export class Conv2DTranspose extends BaseConvTranspose {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvTransposeArgs = {}) {
    super(2, filters, kernelSize, args);
  }
}
