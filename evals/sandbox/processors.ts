/**
 * The ETL processors of the simulated ingestion pipeline and how their workers are read from
 * GitOps values. A processor's backlog is its level (a share of the scenario's baseline, or a
 * backlog_shift's seconds) times initial workers / current workers.
 */

/** The ETL processors, in the order the pipeline runs them. */
export const PROCESSORS = ["crawl", "embed", "index"] as const;
/** An ETL processor. */
export type Processor = (typeof PROCESSORS)[number];
/** Workers of every processor. */
export type ProcessorWorkers = Record<Processor, number>;

/** Workers per processor when a scenario gives none. */
export const DEFAULT_WORKERS: Readonly<ProcessorWorkers> = { crawl: 2, embed: 4, index: 2 };

/** Each processor's backlog before anything happens, as a share of `baseline.etl_backlog_seconds` (embed is the slowest). */
export const BASELINE_BACKLOG_SHARE: Readonly<ProcessorWorkers> = { crawl: 0.5, embed: 1, index: 0.7 };

/** Whether `value` names an ETL processor. */
export function isProcessor(value: string): value is Processor {
  return (PROCESSORS as readonly string[]).includes(value);
}

/**
 * Reads the workers that the `processors` key of GitOps values sets. Absent or null changes nothing;
 * a processor without `workers` keeps its workers. Returns why the chart could not render it, if it cannot.
 */
export function workersFromValues(raw: unknown): { workers: Partial<ProcessorWorkers> } | { problem: string } {
  if (raw === undefined || raw === null) return { workers: {} };
  if (typeof raw !== "object" || Array.isArray(raw)) return { problem: `values key processors must be a map of processor to { workers }, not ${JSON.stringify(raw)}` };
  const workers: Partial<ProcessorWorkers> = {};
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (!isProcessor(name)) return { problem: `values name ETL processor "${name}", which does not exist (processors: ${PROCESSORS.join(", ")})` };
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return { problem: `values key processors.${name} must be a map such as { workers: 4 }` };
    const count = (spec as { workers?: unknown }).workers;
    if (count === undefined) continue;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
      return { problem: `values key processors.${name}.workers must be a whole number of at least 1, not ${JSON.stringify(count)}` };
    }
    workers[name] = count;
  }
  return { workers };
}
