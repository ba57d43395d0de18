/** The DVC workspace (DVC 3 written natively), the synthetic search-relevance dataset and the DVC tools. */
export { DvcWorkspace } from "./workspace.js";
export type { DvcStatus, DvcPushResult, DvcWorkspaceOptions, LockStageInput } from "./workspace.js";
export type { DvcOut, DvcDirectoryOut, LockEntry, LockStage } from "./dvc-files.js";
export { DvcError } from "./dvc-error.js";
export { readDefaultRemote } from "./remote.js";
export type { DvcRemote } from "./remote.js";
export { DATASET_COLUMNS } from "./dataset-rows.js";
export type { DatasetRow, RowSource, TopicCounts } from "./dataset-rows.js";
export { generateBaseDataset, generateAugmentedRows, seedDataset, CANDIDATES_PER_QUERY } from "./dataset.js";
export type { DatasetSplit, GenerateOptions, Paraphraser, ParaphraseReport } from "./dataset.js";
export { dvcTools } from "./toolset.js";
export type { DatasetInfo } from "./toolset.js";
