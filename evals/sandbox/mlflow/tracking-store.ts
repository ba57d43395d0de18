import type { Random } from "../random.js";
import { invalidParameter, MlflowError, notFound } from "./errors.js";
import { matchesFilter, orderItems, paginate, parseFilter } from "./filter.js";

/** A key/value pair as MLflow serialises params and tags. */
export interface KeyValue {
  key: string;
  value: string;
}

/** A logged metric value. */
export interface MetricValue {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** An MLflow experiment. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: "active";
  creation_time: number;
  last_update_time: number;
  tags: KeyValue[];
}

/** Status values of a run. */
export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;

interface RunRecord {
  info: {
    run_id: string;
    run_uuid: string;
    run_name: string;
    experiment_id: string;
    status: (typeof RUN_STATUSES)[number];
    start_time: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: "active";
    user_id: string;
  };
  metrics: MetricValue[];
  params: Map<string, string>;
  tags: Map<string, string>;
}

/** The JSON of a run, as `runs/get` returns it. */
export type RunJson = ReturnType<TrackingStore["runJson"]>;

/** Experiments, runs and the artifact store of the sandbox's MLflow tracking server. */
export class TrackingStore {
  private readonly experiments = new Map<string, Experiment>();
  private readonly runs = new Map<string, RunRecord>();
  /** Artifact bytes by path under the artifact root (`<exp>/<run>/artifacts/<rel>`). */
  readonly artifacts = new Map<string, Uint8Array<ArrayBuffer>>();
  private nextExperiment = 1;

  constructor(
    private readonly now: () => number,
    private readonly random: Random,
  ) {
    this.experiments.set("0", { experiment_id: "0", name: "Default", artifact_location: "mlflow-artifacts:/0", lifecycle_stage: "active", creation_time: now(), last_update_time: now(), tags: [] });
  }

  /** Creates an experiment; a taken name is RESOURCE_ALREADY_EXISTS. */
  createExperiment(name: unknown, artifactLocation?: unknown, tags?: unknown): string {
    if (typeof name !== "string" || !name) throw invalidParameter("Missing value for required parameter 'name'.");
    if ([...this.experiments.values()].some((e) => e.name === name)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    const id = String(this.nextExperiment++);
    const location = typeof artifactLocation === "string" && artifactLocation ? artifactLocation : `mlflow-artifacts:/${id}`;
    this.experiments.set(id, { experiment_id: id, name, artifact_location: location, lifecycle_stage: "active", creation_time: this.now(), last_update_time: this.now(), tags: keyValues(tags) });
    return id;
  }

  /** An experiment by id. */
  getExperiment(id: unknown): Experiment {
    const experiment = this.experiments.get(String(id ?? ""));
    if (!experiment) throw notFound(`No Experiment with id=${String(id)} exists`);
    return experiment;
  }

  /** An experiment by name. */
  getExperimentByName(name: unknown): Experiment {
    const experiment = [...this.experiments.values()].find((e) => e.name === name);
    if (!experiment) throw notFound(`Could not find experiment with name '${String(name)}'`);
    return experiment;
  }

  /** Experiments matching a filter on `name` or `tags.x`. */
  searchExperiments(q: { filter?: string; max_results?: number; page_token?: string; order_by?: string[] }): { experiments: Experiment[]; next_page_token?: string } {
    const conditions = parseFilter(q.filter);
    const get = (e: Experiment, key: string) => (key.startsWith("tags.") ? e.tags.find((t) => t.key === key.slice(5))?.value : (e as unknown as Record<string, string | number>)[key]);
    const sorted = orderItems([...this.experiments.values()].filter((e) => matchesFilter(e, conditions, get)), q.order_by ?? [], get, (a, b) => b.last_update_time - a.last_update_time);
    const page = paginate(sorted, q.max_results ?? 1000, q.page_token);
    return { experiments: page.items, ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) };
  }

  /** Creates a RUNNING run in an experiment. */
  createRun(body: { experiment_id?: unknown; run_name?: unknown; start_time?: unknown; tags?: unknown; user_id?: unknown }): RunJson {
    const experiment = this.getExperiment(body.experiment_id ?? "0");
    const runId = this.random.hex(32);
    const tags = new Map(keyValues(body.tags).map((t) => [t.key, t.value]));
    const runName = typeof body.run_name === "string" && body.run_name ? body.run_name : (tags.get("mlflow.runName") ?? `run-${runId.slice(0, 8)}`);
    tags.set("mlflow.runName", runName);
    const user = typeof body.user_id === "string" ? body.user_id : (tags.get("mlflow.user") ?? "autopilot");
    const record: RunRecord = {
      info: {
        run_id: runId,
        run_uuid: runId,
        run_name: runName,
        experiment_id: experiment.experiment_id,
        status: "RUNNING",
        start_time: typeof body.start_time === "number" ? body.start_time : this.now(),
        artifact_uri: `${experiment.artifact_location}/${runId}/artifacts`,
        lifecycle_stage: "active",
        user_id: user,
      },
      metrics: [],
      params: new Map(),
      tags,
    };
    this.runs.set(runId, record);
    return this.runJson(record);
  }

  /** Updates status, end time or name of a run. */
  updateRun(body: { run_id?: unknown; run_uuid?: unknown; status?: unknown; end_time?: unknown; run_name?: unknown }): RunRecord["info"] {
    const run = this.record(body.run_id ?? body.run_uuid);
    if (body.status !== undefined) {
      if (!RUN_STATUSES.includes(body.status as RunRecord["info"]["status"])) throw invalidParameter(`Invalid value '${String(body.status)}' for parameter 'status'`);
      run.info.status = body.status as RunRecord["info"]["status"];
    }
    if (typeof body.end_time === "number") run.info.end_time = body.end_time;
    if (typeof body.run_name === "string" && body.run_name) {
      run.info.run_name = body.run_name;
      run.tags.set("mlflow.runName", body.run_name);
    }
    return run.info;
  }

  /** Logs metrics, params and tags with MLflow's limits and write rules (params are immutable). */
  logBatch(runId: unknown, metrics: unknown = [], params: unknown = [], tags: unknown = []): void {
    const run = this.record(runId);
    if (!Array.isArray(metrics) || !Array.isArray(params) || !Array.isArray(tags)) throw invalidParameter("metrics, params and tags must be lists");
    if (metrics.length > 1000) throw invalidParameter(`A batch logging request can contain at most 1000 metrics. Got ${metrics.length} metrics.`);
    if (params.length > 100) throw invalidParameter(`A batch logging request can contain at most 100 params. Got ${params.length} params.`);
    if (tags.length > 100) throw invalidParameter(`A batch logging request can contain at most 100 tags. Got ${tags.length} tags.`);
    for (const m of metrics as Record<string, unknown>[]) {
      if (typeof m?.key !== "string" || !m.key) throw invalidParameter("Missing value for required parameter 'metrics[].key'.");
      const value = typeof m.value === "string" ? Number(m.value) : m.value;
      if (typeof value !== "number") throw invalidParameter(`Missing value for required parameter 'value' of metric '${m.key}'.`);
      if (typeof m.timestamp !== "number") throw invalidParameter(`Missing value for required parameter 'timestamp' of metric '${m.key}'.`);
      run.metrics.push({ key: m.key, value, timestamp: m.timestamp, step: typeof m.step === "number" ? m.step : 0 });
    }
    for (const p of keyValues(params)) {
      const existing = run.params.get(p.key);
      if (existing !== undefined && existing !== p.value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${existing}' for run ID='${run.info.run_id}'. Attempted logging new value '${p.value}'.`,
        );
      }
      run.params.set(p.key, p.value);
    }
    for (const t of keyValues(tags)) run.tags.set(t.key, t.value);
  }

  /** The JSON of a run by id. */
  getRun(runId: unknown): RunJson {
    return this.runJson(this.record(runId));
  }

  /** The value of one param or tag of a run (used to link registry versions to H2O models). */
  runField(runId: string, kind: "params" | "tags", key: string): string | undefined {
    return this.runs.get(runId)?.[kind].get(key);
  }

  /** Runs of some experiments matching a filter, ordered and paged. */
  searchRuns(q: { experiment_ids?: unknown; filter?: string; max_results?: number; order_by?: string[]; page_token?: string }): { runs?: RunJson[]; next_page_token?: string } {
    const ids = Array.isArray(q.experiment_ids) ? q.experiment_ids.map(String) : [];
    if (ids.length === 0) throw invalidParameter("Missing value for required parameter 'experiment_ids'.");
    const conditions = parseFilter(q.filter);
    const get = (r: RunRecord, key: string): string | number | undefined => {
      if (key.startsWith("metrics.")) return latestMetrics(r.metrics).find((m) => m.key === key.slice(8))?.value;
      if (key.startsWith("params.")) return r.params.get(key.slice(7));
      if (key.startsWith("tags.")) return r.tags.get(key.slice(5));
      return (r.info as unknown as Record<string, string | number | undefined>)[key === "run_uuid" ? "run_id" : key];
    };
    const found = [...this.runs.values()].filter((r) => ids.includes(r.info.experiment_id) && matchesFilter(r, conditions, get));
    const sorted = orderItems(found, q.order_by ?? [], get, (a, b) => b.info.start_time - a.info.start_time || a.info.run_id.localeCompare(b.info.run_id));
    const page = paginate(sorted, q.max_results ?? 1000, q.page_token);
    const runs = page.items.map((r) => this.runJson(r));
    return { ...(runs.length ? { runs } : {}), ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) };
  }

  /** Direct children of `path` under a run's artifact root. */
  listRunArtifacts(runId: unknown, path = ""): { root_uri: string; files: { path: string; is_dir: boolean; file_size?: number }[] } {
    const run = this.record(runId);
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const rel = path.replace(/^\/+|\/+$/g, "");
    const files = this.listArtifactDir(rel ? `${root}/${rel}` : root).map((f) => ({ ...f, path: rel ? `${rel}/${f.path}` : f.path }));
    return { root_uri: run.info.artifact_uri, files };
  }

  /** Direct children of a directory of the artifact store, with names relative to it. */
  listArtifactDir(dir: string): { path: string; is_dir: boolean; file_size?: number }[] {
    const prefix = dir.replace(/^\/+|\/+$/g, "");
    const children = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
    for (const [path, bytes] of this.artifacts) {
      if (prefix && !path.startsWith(`${prefix}/`)) continue;
      const rest = prefix ? path.slice(prefix.length + 1) : path;
      const [head = "", ...tail] = rest.split("/");
      children.set(head, tail.length ? { path: head, is_dir: true } : { path: head, is_dir: false, file_size: bytes.byteLength });
    }
    return [...children.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The JSON of a run: latest metric per key, params and tags as lists. */
  runJson(run: RunRecord) {
    return {
      info: { ...run.info },
      data: {
        metrics: latestMetrics(run.metrics),
        params: [...run.params].map(([key, value]) => ({ key, value })),
        tags: [...run.tags].map(([key, value]) => ({ key, value })),
      },
      inputs: {},
    };
  }

  private record(runId: unknown): RunRecord {
    const run = this.runs.get(String(runId ?? ""));
    if (!run) throw notFound(`Run '${String(runId)}' not found`);
    return run;
  }
}

/** The latest value per key: highest step, then latest timestamp, then largest value (MLflow's rule). */
function latestMetrics(history: MetricValue[]): MetricValue[] {
  const latest = new Map<string, MetricValue>();
  for (const m of history) {
    const current = latest.get(m.key);
    if (!current || m.step > current.step || (m.step === current.step && (m.timestamp > current.timestamp || (m.timestamp === current.timestamp && m.value > current.value)))) latest.set(m.key, m);
  }
  return [...latest.values()];
}

/** Reads `[{key, value}]`, turning values into strings. */
export function keyValues(list: unknown): KeyValue[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidParameter("Expected a list of {key, value}");
  return list.map((item: Record<string, unknown>) => {
    if (typeof item?.key !== "string" || !item.key) throw invalidParameter("Missing value for required parameter 'key'.");
    if (item.key.length > 250) throw invalidParameter(`Key '${item.key.slice(0, 40)}...' is longer than 250 characters.`);
    return { key: item.key, value: item.value === undefined || item.value === null ? "" : String(item.value) };
  });
}
