import { z } from "zod";
import { isTriggered, type MonitorFinding } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import {
  signalSelector,
  PROMETHEUS_FLAGS,
  describeTrigger,
  failure,
  fmt,
  pct,
  selector,
  serviceField,
  signalContract,
  signalField,
  signalLabel,
  trafficSeries,
} from "./tool-support.js";

/** `prometheus_get_signal`: a signal's current value against its baseline and trigger rule. */
export const getSignalTool = defineTool({
  name: "prometheus_get_signal",
  system: "prometheus",
  title: "Get a signal's current value",
  description:
    "Reads the current value of a trigger-contract signal for a service and its baseline, and says whether the signal's trigger rule holds. Use it first to confirm an alert.",
  input: z.object({ signal: signalField, service: serviceField }),
  flags: PROMETHEUS_FLAGS,
  finding: "monitor",
  timeoutMs: 60_000,
  async run({ signal, service }, ctx): Promise<ToolOutcome<MonitorFinding>> {
    const contract = signalContract(ctx, signal);
    const now = ctx.clock.now();
    const at = now.toISOString();
    const query = signalSelector(contract, service);
    const baselineQuery = contract.baselineMetric ? selector(contract.baselineMetric, service) : null;
    try {
      const prom = ctx.clients.prometheus;
      const [samples, baselineSamples] = await Promise.all([
        prom.query(query, { time: now, signal: ctx.signal }),
        baselineQuery ? prom.query(baselineQuery, { time: now, signal: ctx.signal }) : Promise.resolve([]),
      ]);
      const value = trafficSeries(samples)?.value;
      if (value === undefined || !Number.isFinite(value)) {
        const seen = value === undefined ? "no sample" : `the value ${value}`;
        return { status: "no_data", summary: `${seen} for ${query} at ${at}` };
      }
      const baselineValue = trafficSeries(baselineSamples)?.value;
      const baseline = baselineValue !== undefined && Number.isFinite(baselineValue) ? baselineValue : null;
      const rule = contract.trigger;
      if (rule.kind === "relative_drop" && baseline === null) {
        const missing = baselineQuery ?? `${contract.metric} (no baselineMetric in the contract)`;
        const summary = `no baseline sample for ${missing} at ${at}; the ${pct(rule.fraction)} relative-drop rule needs it (current value ${fmt(value)})`;
        return { status: "no_data", summary };
      }
      const threshold = rule.kind === "relative_drop" ? baseline! * (1 - rule.fraction) : rule.value;
      const triggered = isTriggered(rule, value, baseline ?? undefined);
      const data: MonitorFinding = { signal, service, metric: contract.metric, value, baseline, threshold, triggered, at };
      return { status: "success", summary: summarize(signalLabel(contract), data, describeTrigger(rule)), data };
    } catch (error) {
      return failure(error, ctx);
    }
  },
});

function summarize(label: string, f: MonitorFinding, rule: string): string {
  let text = `${label} of ${f.service} is ${fmt(f.value)}`;
  if (f.baseline !== null && f.baseline !== 0) {
    const change = (f.value - f.baseline) / f.baseline;
    text += `, ${Math.abs(change * 100).toFixed(1)}% ${change < 0 ? "under" : "over"} its baseline ${fmt(f.baseline)}`;
  } else if (f.baseline !== null) {
    text += `, baseline ${fmt(f.baseline)}`;
  }
  return `${text} (${rule}): ${f.triggered ? "triggered" : "not triggered"}`;
}
