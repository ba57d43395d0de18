import { z } from "zod";
import { isTriggered, segmentMetric, type DiagnosisFinding, type SignalContract } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import type { PromSample } from "./client.js";
import {
  ALL_VARIANTS,
  PROMETHEUS_FLAGS,
  failure,
  fmt,
  pct,
  selector,
  serviceField,
  signalContract,
  signalField,
  signalLabel,
  signedPct,
} from "./tool-support.js";

type Segment = DiagnosisFinding["segments"][number];

/** `prometheus_query_breakdown`: a signal by segment (topic, stage, ...) against its baseline, weakest first. */
export const queryBreakdownTool = defineTool({
  name: "prometheus_query_breakdown",
  system: "prometheus",
  title: "Break a signal down by segment",
  description:
    "Reads a signal's metric per segment (a label such as topic) next to its per-segment baseline and marks the segments that are weak: dropped (or risen, for lower-is-better signals) by more than weak_fraction. Segments come worst first.",
  input: z.object({
    signal: signalField,
    service: serviceField,
    by: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).max(64).default("topic").describe("segment label name, e.g. topic or stage"),
    weak_fraction: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe("relative change against the baseline that makes a segment weak; default the trigger fraction, else 0.05"),
  }),
  flags: PROMETHEUS_FLAGS,
  finding: "diagnosis",
  timeoutMs: 60_000,
  async run({ signal, service, by, weak_fraction }, ctx): Promise<ToolOutcome<DiagnosisFinding>> {
    const contract = signalContract(ctx, signal);
    const now = ctx.clock.now();
    const at = now.toISOString();
    const metric = segmentMetric(contract.metric, by);
    const query = selector(metric, service, ALL_VARIANTS);
    const baselineQuery = contract.baselineMetric ? selector(segmentMetric(contract.baselineMetric, by), service) : null;
    const fraction = weak_fraction ?? (contract.trigger.kind === "relative_drop" ? contract.trigger.fraction : 0.05);
    try {
      const prom = ctx.clients.prometheus;
      const [samples, baselines] = await Promise.all([
        prom.query(query, { time: now, signal: ctx.signal }),
        baselineQuery ? prom.query(baselineQuery, { time: now, signal: ctx.signal }) : Promise.resolve([]),
      ]);
      const segments = buildSegments(samples, baselines, by, contract, fraction);
      if (segments.length === 0) return { status: "no_data", summary: `no sample with a "${by}" label for ${query} at ${at}` };
      const data: DiagnosisFinding = { signal, metric, by, segments, weak_segments: segments.filter((s) => s.weak).map((s) => s.label), at };
      const lower = contract.direction === "lower_is_better";
      const weakList = segments.filter((s) => s.weak).map((s) => `${s.label} ${s.relative_change === null ? fmt(s.value) : signedPct(s.relative_change)}`);
      const summary =
        `${signalLabel(contract)} of ${service} by ${by}: ${weakList.length} of ${segments.length} segments weak` +
        (weakList.length ? ` (${weakList.join(", ")})` : "") +
        (baselineQuery ? ` at a ${pct(fraction)} ${lower ? "rise" : "drop"} against the baseline` : ` against the trigger rule (no baseline series)`);
      const report = renderReport({ data, service, contract, fraction, queries: [query, ...(baselineQuery ? [baselineQuery] : [])] });
      return {
        status: "success",
        summary,
        data,
        artifacts: [{ kind: "diagnostic_report", name: `diagnosis-${signal}.md`, mediaType: "text/markdown", content: report }],
      };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});

/**
 * Joins values and baselines on the segment label. With a baseline a segment is weak when its
 * relative change crosses `fraction` the wrong way; without one, when it breaks the trigger rule.
 */
function buildSegments(samples: PromSample[], baselines: PromSample[], by: string, contract: SignalContract, fraction: number): Segment[] {
  const lower = contract.direction === "lower_is_better";
  const baselineBy = new Map(baselines.filter((b) => b.metric[by] && Number.isFinite(b.value)).map((b) => [b.metric[by]!, b.value]));
  const seen = new Set<string>();
  const segments: Segment[] = [];
  for (const s of samples) {
    const label = s.metric[by];
    if (!label || seen.has(label) || !Number.isFinite(s.value)) continue;
    seen.add(label);
    const baseline = baselineBy.get(label) ?? null;
    const change = baseline !== null && baseline !== 0 ? (s.value - baseline) / baseline : null;
    const weak = change !== null ? (lower ? change >= fraction : change <= -fraction) : isTriggered(contract.trigger, s.value, undefined);
    segments.push({ label, value: s.value, baseline, relative_change: change, weak });
  }
  // Worst first: the largest move in the bad direction; segments without a baseline by value.
  const badness = (s: Segment) => (lower ? 1 : -1) * (s.relative_change ?? 0);
  return segments.sort(
    (a, b) =>
      Number(a.relative_change === null) - Number(b.relative_change === null) ||
      badness(b) - badness(a) ||
      (lower ? b.value - a.value : a.value - b.value) ||
      a.label.localeCompare(b.label),
  );
}

function renderReport(r: { data: DiagnosisFinding; service: string; contract: SignalContract; fraction: number; queries: string[] }): string {
  const { data, contract } = r;
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = data.segments.map((s) => {
    const baseline = s.baseline === null ? "-" : fmt(s.baseline);
    const change = s.relative_change === null ? "-" : signedPct(s.relative_change);
    return `| ${cell(s.label)} | ${fmt(s.value)} | ${baseline} | ${change} | ${s.weak ? "**weak**" : ""} |`;
  });
  const side = contract.direction === "lower_is_better" ? "over" : "under";
  return [
    `# Diagnosis: ${signalLabel(contract)} of ${r.service} by ${data.by}`,
    "",
    `- signal: \`${data.signal}\` (\`${contract.metric}\`, ${contract.direction.replace(/_/g, " ")})`,
    `- evaluated at: ${data.at}`,
    `- weak when: ${pct(r.fraction)} ${side} the segment's baseline (segments without a baseline: the trigger rule)`,
    `- weak segments: ${data.weak_segments.length ? data.weak_segments.join(", ") : "none"}`,
    "",
    `| ${cell(data.by)} | value | baseline | change | weak |`,
    "|---|---|---|---|---|",
    ...rows,
    "",
    `## Queries (instant, at ${data.at})`,
    "",
    "```promql",
    ...r.queries,
    "```",
    "",
  ].join("\n");
}
