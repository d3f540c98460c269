/** Text data: the shipped corpus, byte-pair encoding, token windows, n-gram baselines, synthetic tasks. */
export { loadTextCorpus, normaliseText, splitAtLine, TEXT_FILES, ChecksumError } from './corpus';
export type { CorpusName, CorpusOptions, TextCorpus, TextDocument } from './corpus';
export { Bpe, BYTE_TOKENS, chunkText } from './bpe';
export type { BpeVocabulary, BpeTrainOptions } from './bpe';
export { tokenWindows } from './windows';
export type { WindowOptions } from './windows';
export { ngramBaseline, bitsPerChar } from './ngram';
export type { NgramResult } from './ngram';
export { makeSequenceTask } from './synthetic';
export type { SequenceTask, SequenceTaskName, SequenceTaskOptions } from './synthetic';
export { sourceSnippets } from './snippets';
export type { SnippetOptions } from './snippets';
