/**
 * @internal Whether BatchNormalization and LayerNormalization run the fused normalization ops (the
 * default) or the composed ops they replaced; bench/normalization.ts and the layers' tests compare the two.
 */
export const normalizationPath = { fused: true };
