import { BaseConvTranspose, type ConvTransposeArgs } from "./base_conv_transpose.js";

/** 1-D transposed convolution (Keras's Conv1DTranspose), e.g. to upsample in a decoder. */
export class Conv1DTranspose extends BaseConvTranspose {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvTransposeArgs = {}) {
    super(1, filters, kernelSize, args);
  }
}
