import { z } from "zod";

/**
 * zod schemas of the H2O-3 answers the client reads (section 5 of the API contract reference,
 * FrameV3/ColV3 and TwoDimTableV3 from the h2o-3 source). They keep only the fields we use.
 */

/** A key object; `.name` is the id. */
export const H2oKeySchema = z.object({ name: z.string() });

/** `JobV3`. */
export const H2oJobSchema = z.object({
  key: H2oKeySchema,
  description: z.string().nullish(),
  dest: H2oKeySchema.nullish(),
  status: z.string(),
  progress: z.number().nullish(),
  progress_msg: z.string().nullish(),
  exception: z.string().nullish(),
  stacktrace: z.string().nullish(),
  warnings: z.array(z.string()).nullish(),
});
/** An H2O job as GET /3/Jobs returns it. */
export type H2oJob = z.infer<typeof H2oJobSchema>;

/** GET /3/Jobs/{key}. */
export const H2oJobsSchema = z.object({ jobs: z.array(H2oJobSchema).min(1) });

/** GET /3/Cloud. */
export const H2oCloudSchema = z.object({
  version: z.string(),
  cloud_name: z.string(),
  cloud_size: z.number(),
  cloud_healthy: z.boolean(),
  consensus: z.boolean(),
  locked: z.boolean().nullish(),
  bad_nodes: z.number().nullish(),
});
/** The cluster's status. */
export type H2oCloud = z.infer<typeof H2oCloudSchema>;

/** POST /3/ImportFiles. */
export const H2oImportFilesSchema = z.object({
  files: z.array(z.string()).nullish(),
  destination_frames: z.array(z.string()).nullish(),
  fails: z.array(z.string()).nullish(),
});

/** POST /3/ParseSetup: the guessed setup. */
export const H2oParseSetupSchema = z.object({
  source_frames: z.array(H2oKeySchema),
  parse_type: z.string(),
  separator: z.number(),
  check_header: z.number(),
  column_names: z.array(z.string()).nullish(),
  column_types: z.array(z.string()).nullish(),
  number_columns: z.number(),
  chunk_size: z.number().nullish(),
  single_quotes: z.boolean().nullish(),
  destination_frame: z.union([z.string(), H2oKeySchema]).nullish(),
  warnings: z.array(z.string()).nullish(),
});
/** A parse setup as H2O guessed it. */
export type H2oParseSetup = z.infer<typeof H2oParseSetupSchema>;

/** POST /3/Parse (non-blocking). */
export const H2oParseSchema = z.object({ job: H2oJobSchema });

/** POST /3/ModelBuilders/{algo}. */
export const H2oModelBuilderSchema = z.object({
  job: H2oJobSchema.nullish(),
  messages: z.array(z.object({ message_type: z.string().nullish(), field_name: z.string().nullish(), message: z.string().nullish() })).nullish(),
  error_count: z.number().nullish(),
});

const TwoDimTableSchema = z.object({
  columns: z.array(z.object({ name: z.string().nullish() })),
  /** Column-major: data[column][row]. */
  data: z.array(z.array(z.unknown())),
});

/** One model of GET /3/Models/{id}. */
export const H2oModelJsonSchema = z.object({
  model_id: H2oKeySchema,
  algo: z.string(),
  response_column_name: z.string().nullish(),
  have_mojo: z.boolean(),
  parameters: z.array(z.object({ name: z.string(), actual_value: z.unknown() })).nullish(),
  output: z.object({
    model_category: z.string(),
    training_metrics: z.record(z.string(), z.unknown()).nullish(),
    model_summary: TwoDimTableSchema.nullish(),
  }),
});
/** A model as H2O sends it. */
export type H2oModelJson = z.infer<typeof H2oModelJsonSchema>;

/** GET /3/Models/{id}. */
export const H2oModelsSchema = z.object({ models: z.array(H2oModelJsonSchema).min(1) });

/** POST /3/Predictions/models/{m}/frames/{f} (synchronous). */
export const H2oPredictionsSchema = z.object({ predictions_frame: H2oKeySchema });

/** `ColV3`: numbers in `data` (enum codes for enums; NaN as the string "NaN"), strings in `string_data`. */
export const H2oColumnSchema = z.object({
  label: z.string(),
  type: z.string(),
  domain: z.array(z.string().nullable()).nullish(),
  data: z.array(z.union([z.number(), z.string(), z.null()])).nullish(),
  string_data: z.array(z.string().nullable()).nullish(),
});
/** A column of a frame page. */
export type H2oColumn = z.infer<typeof H2oColumnSchema>;

/** GET /3/Frames/{id}: `FramesV3` holding one `FrameV3`. */
export const H2oFramesSchema = z.object({
  frames: z.array(z.object({ rows: z.number(), columns: z.array(H2oColumnSchema) })).min(1),
});
