/** The H2O-3 client, its tools and the ranking metrics used to score rerankers. */
export { H2oClient } from "./client.js";
export type { H2oClientOptions, H2oWaitOptions, H2oRequestOptions } from "./client.js";
export { H2oJobError, isH2oJobError } from "./errors.js";
export type { H2oModel } from "./model.js";
export { modelComplexity } from "./model.js";
export type { H2oCell } from "./frame-columns.js";
export { rankingMetrics, ndcgAt, recallAt } from "./ranking-metrics.js";
export type { RankedRow, RankingOptions, RankingMetrics, RankingSummary } from "./ranking-metrics.js";
export { h2oTools, h2oTrainModel, NON_FEATURE_COLUMNS } from "./toolset.js";
