/** Latency statistics and the table the benchmark prints. */

/** What a series of timed samples comes to. */
export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (`q` in 0..1): no sample is dropped or interpolated. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** The p50, p90, p99, mean and max of `samples`, in their unit. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), mean: sum / sorted.length, max: sorted[sorted.length - 1]! };
}

/** Microseconds since `start` (a process.hrtime.bigint() reading). */
export function elapsedUs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1_000;
}

/** A plain-text table: a header row, a rule, then the rows, columns padded to fit. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
