import { z } from "zod";

/** The kinds of artifact a cycle stores and lists in its report. */
export const ARTIFACT_KINDS = [
  "diagnostic_report",
  "dataset_manifest",
  "helm_values_patch",
  "evaluation_results",
  "ab_test_results",
  "watch_report",
] as const;
/** A kind of cycle artifact. */
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** An artifact a tool produced, before the store gives it an id. */
export const ArtifactDraftSchema = z.object({
  kind: z.enum(ARTIFACT_KINDS),
  name: z.string(),
  mediaType: z.string(),
  /** The artifact's text (JSON, YAML, markdown). Binary artifacts live in their own system (MLflow, DVC). */
  content: z.string(),
});
/** An artifact a tool produced. */
export type ArtifactDraft = z.infer<typeof ArtifactDraftSchema>;

/** A stored artifact as the report lists it. */
export interface ArtifactRef {
  id: string;
  kind: ArtifactKind;
  name: string;
  mediaType: string;
  sha256: string;
  size: number;
}
