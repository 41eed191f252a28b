import { BaseConvTranspose, type ConvTransposeArgs } from "./base_conv_transpose.js";

/** 3-D transposed convolution (Keras's Conv3DTranspose), e.g. to upsample in a decoder. */
export class Conv3DTranspose extends BaseConvTranspose {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvTransposeArgs = {}) {
    super(3, filters, kernelSize, args);
  }
}
