import { z } from "zod";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import type { HelmValues } from "./values.js";
import { AppField, processorsOf } from "./inputs.js";

/** `gitops_get_values`: what Git says an app should run (model, canary, processors). */
export const getValues = defineTool({
  name: "gitops_get_values",
  system: "gitops",
  title: "Read an app's Helm values",
  description:
    "Reads an app's Helm values in the GitOps repository for the current environment, at HEAD or at a given revision (e.g. an Argo CD history entry's): the model version, the canary and the ETL processors' workers.",
  input: z.object({ app: AppField, revision: z.string().regex(/^[0-9a-f]{7,40}$/, "a git commit sha").optional().describe("A commit to read at; HEAD when omitted.") }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  async run({ app, revision: at }, ctx): Promise<ToolOutcome<{ app: string; revision: string | null; values: HelmValues }>> {
    try {
      const revision = at ?? (await ctx.clients.gitops.head());
      const values = await ctx.clients.gitops.readValues(app, ctx.environment, revision ?? undefined);
      if (!values) return { status: "no_data", summary: `${ctx.clients.gitops.valuesPath(app, ctx.environment)} does not exist in the GitOps repository` };
      const procs = Object.entries(processorsOf(values)).map(([n, p]) => `${n}=${p.workers}`);
      return {
        status: "success",
        summary: `${app}/${ctx.environment} at ${revision?.slice(0, 7)}: model ${values.model.version}${values.canary.enabled ? `, canary ${values.canary.version} at ${values.canary.weight}%` : ""}${procs.length ? `; processors ${procs.join(", ")}` : ""}.`,
        data: { app, revision, values },
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
