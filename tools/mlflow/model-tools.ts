import { z } from "zod";
import { AutopilotError } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { ModelNameInput, VersionInput } from "./inputs.js";

/** At most this many params and tags of a run are shown to a model. */
export const RUN_FIELDS_CAP = 40;

/** What mlflow_get_model returns. */
export interface ModelVersionView {
  model_name: string;
  version: string;
  aliases: string[];
  status: string;
  source: string;
  description: string | null;
  tags: Record<string, string>;
  run: {
    run_id: string;
    status: string;
    metrics: Record<string, number>;
    params: Record<string, string>;
    tags: Record<string, string>;
    /** How many params and tags were left out by the cap. */
    omitted: { params: number; tags: number };
  } | null;
}

/** Reads a model version by alias or number, with its run's metrics, params and tags. */
export const mlflowGetModel = defineTool({
  name: "mlflow_get_model",
  system: "mlflow",
  title: "Get a model version",
  description:
    "Reads one version of a registered model, by alias (champion, candidate, ...) or by number (give exactly one), with its tags, " +
    `aliases and source, and its run's latest metrics, params and tags (at most ${RUN_FIELDS_CAP} params and tags each).`,
  input: z.object({
    model_name: ModelNameInput.describe("Registered model name"),
    alias: z.string().min(1).optional().describe("Alias to resolve, e.g. champion; omit when giving version"),
    version: VersionInput.optional().describe("Version number; omit when giving alias"),
  }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  async run(args, ctx): Promise<ToolOutcome<ModelVersionView>> {
    const { mlflow } = ctx.clients;
    if ((args.alias === undefined) === (args.version === undefined)) {
      return errorOutcome(new AutopilotError("invalid_input", "give exactly one of alias or version"));
    }
    try {
      const v = args.alias
        ? await mlflow.getModelVersionByAlias(args.model_name, args.alias, ctx.signal)
        : await mlflow.getModelVersion(args.model_name, String(args.version), ctx.signal);
      const which = args.alias ? `alias ${args.alias}` : `version ${args.version}`;
      if (!v) return { status: "no_data", summary: `${args.model_name} has no ${which}` };
      const run = v.run_id ? await mlflow.getRun(v.run_id, ctx.signal) : null;
      const data: ModelVersionView = {
        model_name: v.name,
        version: v.version,
        aliases: v.aliases,
        status: v.status,
        source: v.source,
        description: v.description,
        tags: v.tags,
        run: run
          ? {
              run_id: run.info.run_id,
              status: run.info.status,
              metrics: run.metrics,
              params: cap(run.params),
              tags: cap(run.tags),
              omitted: { params: Math.max(0, Object.keys(run.params).length - RUN_FIELDS_CAP), tags: Math.max(0, Object.keys(run.tags).length - RUN_FIELDS_CAP) },
            }
          : null,
      };
      const aliases = v.aliases.length ? ` (${v.aliases.join(", ")})` : "";
      return { status: "success", summary: `${v.name} v${v.version}${aliases}: ${v.status}, h2o model ${v.tags.h2o_model_id ?? "unknown"}`, data };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

/** What mlflow_set_model_alias returns. */
export interface SetAliasResult {
  model_name: string;
  alias: string;
  version: string;
  previous_version: string | null;
}

/** Points an alias at a version; the `champion` alias decides what production serves. */
export const mlflowSetModelAlias = defineTool({
  name: "mlflow_set_model_alias",
  system: "mlflow",
  title: "Point a model alias at a version",
  description:
    "Points an alias of a registered model (champion, candidate, ...) at a READY version and returns the version it pointed at before. " +
    "Moving `champion` changes what production serves.",
  input: z.object({
    model_name: ModelNameInput.describe("Registered model name"),
    alias: z.string().regex(/^[a-z][a-z0-9_-]*$/).max(64).describe("Alias, lower case, e.g. champion"),
    version: VersionInput.describe("Version number the alias should point at"),
  }),
  flags: { readOnly: false, destructive: true, idempotent: true, openWorld: true },
  async run(args, ctx): Promise<ToolOutcome<SetAliasResult>> {
    const { mlflow } = ctx.clients;
    const version = String(args.version);
    try {
      const target = await mlflow.getModelVersion(args.model_name, version, ctx.signal);
      if (!target) throw new AutopilotError("mlflow_version_missing", `mlflow: model ${args.model_name} has no version ${version}`);
      if (target.status !== "READY") throw new AutopilotError("mlflow_version_not_ready", `mlflow: ${args.model_name} v${version} is ${target.status}, not READY`);
      const previous = await mlflow.getModelVersionByAlias(args.model_name, args.alias, ctx.signal);
      await mlflow.setAlias(args.model_name, args.alias, version, ctx.signal);
      const previous_version = previous?.version ?? null;
      const was = previous_version === null ? "was unset" : previous_version === version ? "unchanged" : `was v${previous_version}`;
      return {
        status: "success",
        summary: `${args.model_name}@${args.alias} now points at v${version} (${was})`,
        data: { model_name: args.model_name, alias: args.alias, version, previous_version },
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});

function cap(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).slice(0, RUN_FIELDS_CAP));
}
