/**
 * The public API of sadsl. The CLI, the HTTP service and the web page use only what is exported here.
 */
export { initEngine, engineInfo, BACKENDS } from './engine/backend.js';
export type { BackendName, EngineInfo } from './engine/backend.js';
export { Rng } from './engine/random.js';
export * from './errors.js';
export * from './config.js';
export type * from './data/types.js';
export { loadDataset, describeSpecs, DATA_DEFAULTS } from './data/registry.js';
export type { LoadOptions } from './data/registry.js';
export { ClassBalancedSampler, ShuffledSampler } from './data/sampler.js';
export type { BatchSampler, ClassBalancedState, ShuffledState } from './data/sampler.js';
export { inspectDataset, formatSummary } from './data/inspect.js';
export type { DatasetSummary, SplitSummary } from './data/inspect.js';
export { FASHION_MNIST_CLASSES, MNIST_CLASSES } from './data/image/mnist.js';
export { loadNewsgroups } from './data/text/newsgroups.js';
export { loadTextFolder } from './data/text/folder.js';
export { loadJsonl } from './data/text/jsonl.js';
export { loadSampleText } from './data/text/sample.js';
export { tokenize } from './data/text/tokenize.js';
export { STOP_WORDS } from './data/text/stopwords.js';
export { Vocabulary, PAD_ID } from './data/text/vocabulary.js';
export type { VocabularyJSON } from './data/text/vocabulary.js';
export { encodeTexts, encodeTokens } from './data/text/encode.js';
export { tfidf, fitIdf } from './data/text/tfidf.js';
export type { TfIdf } from './data/text/tfidf.js';
export { lengthPercentiles, inVocabularyLengths } from './data/text/stats.js';
export type { LengthPercentiles } from './data/text/stats.js';
export { evaluateRetrieval, evaluateCodes, cosineNormalize } from './eval/retrieval.js';
export type { RetrievalMetrics, RetrievalInput, RetrievalOptions } from './eval/retrieval.js';
export { queryMetrics, ranksOfRelevant, MetricsAccumulator } from './eval/metrics.js';
export type { QueryMetrics, MeanMetrics } from './eval/metrics.js';
export { topicUsage } from './eval/topic-usage.js';
export type { TopicUsage } from './eval/topic-usage.js';
export type { Method, Codes, DenseCodes, SparseCodes, FitOptions } from './eval/method.js';
export { createBaseline, BASELINE_IDS } from './eval/baselines/index.js';
export type { BaselineId, BaselineOptions } from './eval/baselines/index.js';
