/** `keras.layers`: the layer catalogue, grouped as in Keras 3. */
export { Layer, type CallOptions, type LayerArgs, type LayerInput, type AddWeightArgs } from "./layer.js";
export { InputSpec, type InputSpecArgs } from "./input_spec.js";
export { InputLayer, Input, type InputArgs } from "./core/input_layer.js";
export { Dense, type DenseArgs } from "./core/dense.js";
export { Lambda, type LambdaArgs, type LambdaFunction } from "./core/lambda.js";
export { Identity } from "./core/identity.js";
export { Embedding, type EmbeddingArgs } from "./core/embedding.js";
export { Dropout, type DropoutArgs } from "./regularization/dropout.js";
export { Flatten, type FlattenArgs } from "./reshaping/flatten.js";
export { Reshape } from "./reshaping/reshape.js";
export { Permute } from "./reshaping/permute.js";
export { RepeatVector } from "./reshaping/repeat_vector.js";
export { Merge } from "./merging/base_merge.js";
export { Concatenate, type ConcatenateArgs, concatenate } from "./merging/concatenate.js";
export { Add, add } from "./merging/add.js";
export { Subtract, subtract } from "./merging/subtract.js";
export { Multiply, multiply } from "./merging/multiply.js";
export { Average, average } from "./merging/average.js";
export { Maximum, maximum } from "./merging/maximum.js";
export { Minimum, minimum } from "./merging/minimum.js";
export { Dot, type DotArgs, dot } from "./merging/dot.js";
export { Activation } from "./activations/activation.js";
export { ReLU, type ReLUArgs } from "./activations/relu.js";
export { LeakyReLU, type LeakyReLUArgs } from "./activations/leaky_relu.js";
export { PReLU, type PReLUArgs } from "./activations/prelu.js";
export { ELU, type ELUArgs } from "./activations/elu.js";
export { Softmax, type SoftmaxArgs } from "./activations/softmax.js";
export type { DataFormat } from "./convolutional/conv_args.js";
export { BaseConv, type ConvArgs } from "./convolutional/base_conv.js";
export { Conv1D } from "./convolutional/conv1d.js";
export { Conv2D } from "./convolutional/conv2d.js";
export { Conv3D } from "./convolutional/conv3d.js";
export { BaseConvTranspose, type ConvTransposeArgs } from "./convolutional/base_conv_transpose.js";
export { Conv1DTranspose } from "./convolutional/conv1d_transpose.js";
export { Conv2DTranspose } from "./convolutional/conv2d_transpose.js";
export { Conv3DTranspose } from "./convolutional/conv3d_transpose.js";
export { BaseDepthwiseConv, type DepthwiseConvArgs } from "./convolutional/base_depthwise_conv.js";
export { DepthwiseConv1D } from "./convolutional/depthwise_conv1d.js";
export { DepthwiseConv2D } from "./convolutional/depthwise_conv2d.js";
export { BaseSeparableConv, type SeparableConvArgs } from "./convolutional/base_separable_conv.js";
export { SeparableConv1D } from "./convolutional/separable_conv1d.js";
export { SeparableConv2D } from "./convolutional/separable_conv2d.js";
export { BasePooling, type PoolingArgs } from "./pooling/base_pooling.js";
export { MaxPooling1D } from "./pooling/max_pooling1d.js";
export { MaxPooling2D } from "./pooling/max_pooling2d.js";
export { MaxPooling3D } from "./pooling/max_pooling3d.js";
export { AveragePooling1D } from "./pooling/average_pooling1d.js";
export { AveragePooling2D } from "./pooling/average_pooling2d.js";
export { AveragePooling3D } from "./pooling/average_pooling3d.js";
export { BaseGlobalPooling, type GlobalPoolingArgs } from "./pooling/base_global_pooling.js";
export { GlobalMaxPooling1D } from "./pooling/global_max_pooling1d.js";
export { GlobalMaxPooling2D } from "./pooling/global_max_pooling2d.js";
export { GlobalMaxPooling3D } from "./pooling/global_max_pooling3d.js";
export { GlobalAveragePooling1D } from "./pooling/global_average_pooling1d.js";
export { GlobalAveragePooling2D } from "./pooling/global_average_pooling2d.js";
export { GlobalAveragePooling3D } from "./pooling/global_average_pooling3d.js";
export { BatchNormalization, type BatchNormalizationArgs } from "./normalization/batch_normalization.js";
export { LayerNormalization, type LayerNormalizationArgs } from "./normalization/layer_normalization.js";
export { GroupNormalization, type GroupNormalizationArgs } from "./normalization/group_normalization.js";
export { UnitNormalization, type UnitNormalizationArgs } from "./normalization/unit_normalization.js";
export { SpatialDropout1D } from "./regularization/spatial_dropout1d.js";
export { SpatialDropout2D, type SpatialDropout2DArgs } from "./regularization/spatial_dropout2d.js";
export { SpatialDropout3D, type SpatialDropout3DArgs } from "./regularization/spatial_dropout3d.js";
export { BaseSpatialDropout, type SpatialDropoutArgs } from "./regularization/base_spatial_dropout.js";
export { GaussianNoise, type GaussianNoiseArgs } from "./regularization/gaussian_noise.js";
export { GaussianDropout, type GaussianDropoutArgs } from "./regularization/gaussian_dropout.js";
export { AlphaDropout, type AlphaDropoutArgs } from "./regularization/alpha_dropout.js";
export { ActivityRegularization, type ActivityRegularizationArgs } from "./regularization/activity_regularization.js";
export { UpSampling1D } from "./reshaping/up_sampling1d.js";
export { UpSampling2D, type UpSampling2DArgs } from "./reshaping/up_sampling2d.js";
export { UpSampling3D, type UpSampling3DArgs } from "./reshaping/up_sampling3d.js";
export { ZeroPadding1D } from "./reshaping/zero_padding1d.js";
export { ZeroPadding2D } from "./reshaping/zero_padding2d.js";
export { ZeroPadding3D } from "./reshaping/zero_padding3d.js";
export { BaseZeroPadding, type ZeroPaddingArgs } from "./reshaping/base_zero_padding.js";
export { Cropping1D } from "./reshaping/cropping1d.js";
export { Cropping2D } from "./reshaping/cropping2d.js";
export { Cropping3D } from "./reshaping/cropping3d.js";
export { BaseCropping, type CroppingArgs } from "./reshaping/base_cropping.js";
export { type EinsumAnalysis, EinsumDense, type EinsumDenseArgs } from "./core/einsum_dense.js";
export { Masking, type MaskingArgs } from "./core/masking.js";
export {
  type CellCallOptions,
  DropoutRNNCell,
  type RNNCellArgs,
  type RNNCellLike,
  type CellLoop,
} from "./rnn/dropout_rnn_cell.js";
export { SimpleRNNCell, type SimpleRNNCellArgs } from "./rnn/simple_rnn_cell.js";
export { LSTMCell, type LSTMCellArgs } from "./rnn/lstm_cell.js";
export { GRUCell, type GRUCellArgs } from "./rnn/gru_cell.js";
export { RNN, type RNNArgs, type RNNCallOptions } from "./rnn/rnn.js";
export { SimpleRNN, type SimpleRNNArgs } from "./rnn/simple_rnn.js";
export { LSTM, type LSTMArgs } from "./rnn/lstm.js";
export { GRU, type GRUArgs } from "./rnn/gru.js";
export { Bidirectional, type BidirectionalArgs, type MergeMode } from "./rnn/bidirectional.js";
export { TimeDistributed } from "./rnn/time_distributed.js";
export { Attention, type AttentionArgs, type AttentionCallOptions } from "./attention/attention.js";
export { AdditiveAttention, type AdditiveAttentionArgs } from "./attention/additive_attention.js";
export {
  MultiHeadAttention,
  type MultiHeadAttentionArgs,
  type MultiHeadAttentionCallOptions,
} from "./attention/multi_head_attention.js";
