import { formatValue } from "./api.js";
import { RAW_GAUGES, type Labels, type Sample, type SeriesSource } from "../world/series.js";

/** Content type of the Prometheus text exposition format 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const FAMILIES: { name: string; type: "gauge" | "counter" | "histogram"; help: string }[] = [
  ...Object.entries(RAW_GAUGES).map(([name, help]) => ({ name, type: "gauge" as const, help })),
  { name: "search_request_duration_seconds", type: "histogram", help: "Search request duration in seconds." },
  { name: "search_requests_total", type: "counter", help: "Search requests served." },
  { name: "search_request_errors_total", type: "counter", help: "Search requests that failed." },
];

/** The raw metrics at `t` in the Prometheus text exposition format, for a real Prometheus to scrape. */
export function renderExposition(source: SeriesSource, t: number): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type !== "histogram") {
      for (const sample of source.series(family.name, t)) lines.push(line(sample));
      continue;
    }
    const buckets = source.series(`${family.name}_bucket`, t);
    const sums = source.series(`${family.name}_sum`, t);
    const counts = source.series(`${family.name}_count`, t);
    for (const count of counts) {
      const same = (s: Sample) => s.labels.variant === count.labels.variant;
      for (const bucket of buckets.filter(same)) lines.push(line(bucket));
      for (const sum of sums.filter(same)) lines.push(line(sum));
      lines.push(line(count));
    }
  }
  return `${lines.join("\n")}\n`;
}

function line(sample: Sample): string {
  const { __name__: name, ...labels } = sample.labels;
  return `${name}${renderLabels(labels)} ${formatValue(sample.value)}`;
}

function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}
