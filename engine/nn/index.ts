export { Module } from './module';
export { Linear, Embedding, LayerNorm, Dropout, ActivationModule, ReLU, GELU, Tanh, Sigmoid, Sequential, MLP, type Activation } from './layers';
export { MultiHeadAttention, KVCache, type MultiHeadAttentionOptions, type AttendOptions, type AttentionResult } from './attention';
export {
  SinusoidalPositionalEncoding, LearnedPositionalEmbedding, RotaryEmbedding, sinusoidalTable, alibiSlopes,
} from './positional';
export { RelativePositionBias, relativePositionBucket, type RelativePositionBiasOptions } from './relative-bias';
export {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder,
  type TransformerLayerOptions, type EncoderCallOptions, type DecoderCallOptions,
} from './transformer';
export { Transformer, type TransformerConfig, type BeamOptions } from './seq2seq';
export { GPT, GPTCache, type GPTConfig, type GPTPositional, type GenerateOptions, type LogitsOptions } from './gpt';
export {
  SelectiveSSM, CausalConv1d, SSMBlock, SSMLanguageModel, type SelectiveSSMOptions, type SSMBlockOptions, type SSMConfig,
} from './ssm';
export type { GPT2Config } from '../io/huggingface/gpt2';
export {
  BERT, BertEmbeddings, maskTokens, type BertConfig, type BertActivation, type BertHeads, type MaskingOptions, type BertCardConfig, type BertFromCardOptions,
} from './bert';
export type { BertExportOptions } from '../io/huggingface/bert';
export {
  BertForQuestionAnswering, qaInput, tokenOffsets, answerTokens, bestSpan, spanText, qaBatch,
  type QAInput, type SpanOptions, type Span, type QAFromCardOptions,
} from './bert-qa';
export { CharTokenizer, WordTokenizer, loadTokenizer, type Tokenizer, type WordTokenizerOptions } from './tokenizers';
export { GPT2Tokenizer, type GPT2DecodeOptions } from './gpt2-tokenizer';
export { BPETokenizer, trainBPE, BPE_KIND, type BPETrainOptions, type BPEJSON } from './bpe';
export {
  BertTokenizer, type BertTokenizerOptions, type BertEncodeOptions, type BertEncoding, type BertDecodeOptions,
} from './bert-tokenizer';
export { sampleToken, samplingDistribution, argmaxOf, type SamplingOptions } from './sampling';
export { functionalCall } from './functional-call';
export {
  HuggingFaceError, type HuggingFaceWeights, type ShardedWeights, type ShardIndex, type LoadProgress, type HuggingFaceLoadOptions,
} from '../io/huggingface/checkpoint';
export { ViT, PatchEmbedding, patchify, type ViTConfig, type ViTAttentionMaps } from './vit';
export { CLIP, CLIPTextEncoder, type CLIPConfig, type CLIPTextConfig } from './clip';
