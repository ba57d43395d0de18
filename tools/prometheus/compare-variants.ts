import { z } from "zod";
import { DEFAULT_TRIGGER_CONTRACT, sleepUntil, type AbTestFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import { decideAbTest, type VariantRow } from "./ab-decision.js";
import { PROMETHEUS_FLAGS, failure, fmt, mean, rangeStepSeconds, selector, serviceField, signalContract, signalField, signalLabel } from "./tool-support.js";

const VARIANTS = ["champion", "candidate"] as const;

/** `prometheus_compare_variants`: waits for the A/B window to end, then compares champion and candidate. */
export const compareVariantsTool = defineTool({
  name: "prometheus_compare_variants",
  system: "prometheus",
  title: "Compare champion and candidate over the A/B window",
  description:
    "Waits until the A/B window [since, since + minutes] is over, then averages the signal's metric and every guardrail metric per variant (champion, candidate) over it and names the winner: the candidate must be better on the signal by more than 0.5% with no guardrail regression.",
  input: z.object({
    signal: signalField,
    service: serviceField,
    since: z.iso.datetime({ offset: true }).describe("RFC3339 time the canary started serving"),
    minutes: z.number().positive().max(10_080).optional().describe("A/B window length in minutes; default the contract's abMinutes"),
    traffic_percent: z.number().min(1).max(50).optional().describe("share of traffic the candidate serves; default the contract's abTrafficPercent"),
  }),
  flags: PROMETHEUS_FLAGS,
  finding: "ab_test",
  // A tool's timeout is fixed when it is defined, so it covers the default window (see the report).
  timeoutMs: (DEFAULT_TRIGGER_CONTRACT.abMinutes + 10) * 60_000,
  async run(input, ctx): Promise<ToolOutcome<AbTestFinding>> {
    const contract = signalContract(ctx, input.signal);
    const minutes = input.minutes ?? ctx.contract.abMinutes;
    const start = new Date(input.since);
    const end = new Date(start.getTime() + minutes * 60_000);
    const stepSeconds = rangeStepSeconds(minutes);
    const window = { start: start.toISOString(), end: end.toISOString() };
    const metrics = [...new Set([contract.metric, ...ctx.contract.guardrails.map((g) => g.metric)])];
    const query = (metric: string, variant: string) => selector(metric, input.service, `variant="${variant}"`);
    try {
      await sleepUntil(ctx.clock, end, ctx.signal);
      const rows: VariantRow[] = await Promise.all(
        metrics.map(async (metric) => {
          const [champion, candidate] = await Promise.all(
            VARIANTS.map(async (variant) => {
              const series = await ctx.clients.prometheus.queryRange(query(metric, variant), { start, end, stepSeconds, signal: ctx.signal });
              return mean(series.flatMap((s) => s.values.map((p) => p.value)).filter(Number.isFinite));
            }),
          );
          const isSignal = metric === contract.metric;
          return {
            metric,
            champion: champion ?? null,
            candidate: candidate ?? null,
            direction: isSignal ? contract.direction : "lower_is_better",
            isSignal,
            guardrails: ctx.contract.guardrails.filter((g) => g.metric === metric),
          };
        }),
      );
      const decision = decideAbTest(rows);
      const data: AbTestFinding = {
        traffic_percent: input.traffic_percent ?? ctx.contract.abTrafficPercent,
        window,
        metrics: decision.metrics,
        winner: decision.winner,
        passed: decision.winner === "candidate",
      };
      const signalRow = rows.find((r) => r.isSignal)!;
      const versus =
        signalRow.champion !== null && signalRow.candidate !== null
          ? ` (${signalLabel(contract)} ${fmt(signalRow.candidate)} vs ${fmt(signalRow.champion)})`
          : "";
      const verdict = decision.winner === "inconclusive" ? "inconclusive" : `the ${decision.winner} wins`;
      const summary = `A/B of ${input.service} over ${window.start} to ${window.end}: ${verdict}${versus}: ${decision.reasons.join("; ")}`;
      const queries = metrics.flatMap((m) => VARIANTS.map((v) => query(m, v)));
      const content = JSON.stringify({ ...data, reasons: decision.reasons, step_seconds: stepSeconds, queries }, null, 2);
      return {
        status: "success",
        summary,
        data,
        artifacts: [{ kind: "ab_test_results", name: `ab-test-${input.signal}.json`, mediaType: "application/json", content }],
      };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});
