import { z } from "zod";

/**
 * zod schemas of the MLflow REST answers the client reads (section 3 of the API contract
 * reference). Tag and param lists become records; int64 fields are accepted as numbers or strings.
 */

const int64 = z.union([z.number(), z.string()]).transform(Number);
const KeyValues = z
  .array(z.object({ key: z.string(), value: z.string().default("") }))
  .nullish()
  .transform((items) => Object.fromEntries((items ?? []).map((i) => [i.key, i.value])));

/** `Experiment`. */
export const ExperimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().nullish(),
  lifecycle_stage: z.string().nullish(),
});
/** An experiment. */
export type MlflowExperiment = z.infer<typeof ExperimentSchema>;

/** `RunInfo`. */
export const RunInfoSchema = z.object({
  run_id: z.string(),
  run_name: z.string().nullish(),
  experiment_id: z.string(),
  status: z.string(),
  start_time: int64.nullish(),
  end_time: int64.nullish(),
  artifact_uri: z.string(),
  lifecycle_stage: z.string().nullish(),
});
/** The identity and status of a run. */
export type MlflowRunInfo = z.infer<typeof RunInfoSchema>;

/** `Run`, with the latest value of each metric and params and tags as records. */
export const RunSchema = z
  .object({
    info: RunInfoSchema,
    data: z
      .object({
        metrics: z.array(z.object({ key: z.string(), value: z.union([z.number(), z.string()]).transform(Number) })).nullish(),
        params: KeyValues,
        tags: KeyValues,
      })
      .nullish(),
  })
  .transform((run) => ({
    info: run.info,
    metrics: Object.fromEntries((run.data?.metrics ?? []).map((m) => [m.key, m.value])) as Record<string, number>,
    params: run.data?.params ?? {},
    tags: run.data?.tags ?? {},
  }));
/** A run. */
export type MlflowRun = z.output<typeof RunSchema>;

/** `ModelVersion`; `version` is a string, tags a record. */
export const ModelVersionSchema = z
  .object({
    name: z.string(),
    version: z.union([z.string(), z.number()]).transform(String),
    creation_timestamp: int64.nullish(),
    last_updated_timestamp: int64.nullish(),
    description: z.string().nullish(),
    source: z.string().nullish(),
    run_id: z.string().nullish(),
    status: z.string().nullish(),
    status_message: z.string().nullish(),
    tags: KeyValues,
    aliases: z.array(z.string()).nullish(),
  })
  .transform((v) => ({
    name: v.name,
    version: v.version,
    // The entity defaults to READY and the server omits an unset status.
    status: v.status ?? "READY",
    status_message: v.status_message ?? null,
    source: v.source ?? "",
    run_id: v.run_id || null,
    description: v.description ?? null,
    creation_timestamp: v.creation_timestamp ?? null,
    tags: v.tags,
    aliases: v.aliases ?? [],
  }));
/** A registered model version. */
export type MlflowModelVersion = z.output<typeof ModelVersionSchema>;

/** `RegisteredModel`. */
export const RegisteredModelSchema = z.object({
  name: z.string(),
  description: z.string().nullish(),
  aliases: z.array(z.object({ alias: z.string(), version: z.union([z.string(), z.number()]).transform(String) })).nullish(),
});
/** A registered model. */
export type MlflowRegisteredModel = z.infer<typeof RegisteredModelSchema>;

/** `FileInfo` of an artifact listing. */
export const FileInfoSchema = z.object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.nullish() });
