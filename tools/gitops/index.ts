/** The GitOps repository (isomorphic-git) holding each app's Helm values, and the GitOps tool. */
export { GitOpsRepo } from "./repo.js";
export type { GitOpsRepoOptions, GitOpsCommit, WriteValuesResult } from "./repo.js";
export { HelmValuesSchema, GitOpsError } from "./values.js";
export type { HelmValues, DeepPartial } from "./values.js";
export { gitopsTools } from "./toolset.js";
export { processorsOf } from "./inputs.js";
export type { WriteValuesData } from "./toolset.js";
export { GitRemote, isRemoteUrl, displayUrl } from "./remote.js";
export type { GitRemoteOptions } from "./remote.js";
