/** Transformers: attention, positional encodings, the pre-norm layer, encoder/decoder models and their objectives. */
export { scaledDotProductAttention, causalMask, attentionColumns } from './attention';
export type { AttentionOptions, AttentionResult } from './attention';
export { sinusoidalEncoding, relativeOffsetOneHot } from './positional';
export { Linear } from './dense';
export { MultiHeadAttention } from './multi-head';
export type { MultiHeadAttentionConfig, SelfAttentionOutput } from './multi-head';
export { TransformerBlock } from './block';
export type { TransformerBlockConfig } from './block';
export { TransformerModel } from './model';
export type { TransformerConfig, TransformerOutput, PositionalKind, TokenInput } from './model';
export { tokenNll } from './objectives';
export { CausalLanguageModel } from './language-model';
export { MaskedLanguageModel, maskTokens } from './masked-lm';
export type { MaskingConfig, MaskedTokens } from './masked-lm';
export { SequenceClassifier } from './classifier';
export { TokenTagger } from './tagger';
export { sampleLogits, generate } from './sampling';
export type { SamplingOptions } from './sampling';
