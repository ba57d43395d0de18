import { z } from "zod";
import type { EvaluationFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";
import { AppField, ProcessorsField, processorsOf } from "./inputs.js";

/** A capacity change may scale a processor up to this many times its current workers in one step. */
const MAX_SCALE = 4;

/**
 * `gitops_check_change`: the quality gate of a configuration change. A change that only scales ETL
 * processors leaves the serving model and its data as they are, so it cannot lose quality; the
 * tool checks exactly that (and that the scale is sane) and records the verdict as the evaluation.
 */
export const checkChange = defineTool({
  name: "gitops_check_change",
  system: "gitops",
  title: "Gate a processor capacity change",
  description:
    "Checks a proposed change of ETL processor workers against the quality gate before it is deployed: the change must touch only processors " +
    `that exist in the app's values, scale each by at most ${MAX_SCALE}x, and leave the model and canary unchanged (so no quality can be lost). ` +
    "The verdict is the cycle's evaluation; the proposal it approves is what gets deployed.",
  input: z.object({ app: AppField, processors: ProcessorsField }),
  flags: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  finding: "evaluation",
  async run({ app, processors }, ctx): Promise<ToolOutcome<EvaluationFinding>> {
    try {
      const values = await ctx.clients.gitops.readValues(app, ctx.environment);
      if (!values) return { status: "no_data", summary: `${ctx.clients.gitops.valuesPath(app, ctx.environment)} does not exist in the GitOps repository` };
      const current = processorsOf(values);
      const checks: EvaluationFinding["checks"] = [
        {
          rule: "no_loss",
          metric: "ndcg_at_10",
          candidate: null,
          reference: null,
          threshold: null,
          passed: true,
          detail: `the change scales processors only; model ${values.model.version} and its data stay as they are`,
        },
      ];
      for (const [name, { workers }] of Object.entries(processors)) {
        const now = current[name]?.workers;
        const known = now !== undefined;
        const sane = known && workers <= now * MAX_SCALE;
        checks.push({
          rule: "capacity_bounds",
          metric: `processors.${name}.workers`,
          candidate: workers,
          reference: now ?? null,
          threshold: known ? now * MAX_SCALE : null,
          passed: sane,
          detail: !known ? `processor ${name} does not exist in the values` : sane ? `${name} ${now} -> ${workers} workers` : `${name} ${now} -> ${workers} workers is more than ${MAX_SCALE}x at once`,
        });
      }
      const passed = checks.every((c) => c.passed);
      const change = Object.entries(processors).map(([n, p]) => `${n} ${current[n]?.workers ?? "?"}->${p.workers}`).join(", ");
      const data: EvaluationFinding = {
        passed,
        needs_approval: false,
        checks,
        candidate: { version: `processors: ${change}`, metrics: {} },
        champion: { version: values.model.version, metrics: {} },
        proposal: { processors },
      };
      const failed = checks.filter((c) => !c.passed).map((c) => c.detail);
      return { status: "success", summary: passed ? `The capacity change (${change}) passes the gate: no model or data change.` : `The capacity change fails the gate: ${failed.join("; ")}.`, data };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
