import { z } from "zod";
import { AutopilotError, redactSecrets, type Clock } from "../../core/index.js";
import { createHttpClient, isUpstreamError, type HttpClient, type HttpRequest } from "../http.js";
import { proxyArtifactPath } from "./artifact-uri.js";
import { chunkLogBatch, type MlflowMetric } from "./log-batch.js";
import {
  ExperimentSchema,
  FileInfoSchema,
  ModelVersionSchema,
  RegisteredModelSchema,
  RunInfoSchema,
  RunSchema,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  type MlflowRun,
  type MlflowRunInfo,
} from "./schemas.js";

/** How to reach an MLflow tracking server. */
export interface MlflowClientOptions {
  /** The tracking URI, e.g. http://localhost:5000 (paths /api/2.0/... are appended). */
  baseUrl: string;
  /** Sent as a Bearer token; never appears in errors or output. */
  token?: string;
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Retries of network errors and 5xx (default 2). */
  retries?: number;
  clock: Clock;
  /** Time between two polls of a model version's status (default 1000 ms). */
  pollIntervalMs?: number;
}

/** Options of a wait. */
export interface MlflowWaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

const API = "/api/2.0/mlflow";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
/** The zod schema of each answer the client reads, by endpoint (the sandbox's contract test checks against them). */
export const MlflowResponseSchemas = {
  empty: z.object({}),
  createExperiment: z.object({ experiment_id: z.string() }),
  experiment: z.object({ experiment: ExperimentSchema }),
  run: z.object({ run: RunSchema }),
  runInfo: z.object({ run_info: RunInfoSchema }),
  artifacts: z.object({ files: z.array(FileInfoSchema).nullish() }),
  registeredModel: z.object({ registered_model: RegisteredModelSchema }),
  modelVersion: z.object({ model_version: ModelVersionSchema }),
  modelVersionSearch: z.object({ model_versions: z.array(ModelVersionSchema).nullish(), next_page_token: z.string().nullish() }),
};
const R = MlflowResponseSchemas;
const Empty = R.empty;
const MAX_SEARCH_PAGES = 20;

/** A typed client of the MLflow REST API 2.0: tracking, proxied artifacts and the model registry (aliases, no stages). */
export class MlflowClient {
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;

  constructor(options: MlflowClientOptions) {
    const token = options.token;
    this.clock = options.clock;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.http = createHttpClient({
      system: "mlflow",
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      headers: token ? () => ({ authorization: `Bearer ${token}` }) : undefined,
      errorMessage: (body, text) => {
        const message = mlflowErrorMessage(body, text);
        return message === undefined ? undefined : redactSecrets(message, [token]);
      },
      sleep: (ms) => options.clock.sleep(ms),
    });
  }

  /** Creates the experiment, or gets it by name when it exists; returns its id. */
  async getOrCreateExperiment(name: string, signal?: AbortSignal): Promise<string> {
    try {
      const res = await this.post("/experiments/create", { name }, R.createExperiment, signal, false);
      return res.experiment_id;
    } catch (error) {
      if (mlflowErrorCode(error) !== "RESOURCE_ALREADY_EXISTS") throw error;
    }
    const { experiment } = await this.get("/experiments/get-by-name", { experiment_name: name }, R.experiment, signal);
    if (experiment.lifecycle_stage === "deleted") {
      throw new AutopilotError("mlflow_experiment_deleted", `mlflow: experiment "${name}" is deleted; restore it or use another experiment name`, {
        details: { experiment_id: experiment.experiment_id },
      });
    }
    return experiment.experiment_id;
  }

  /** POST /runs/create, started now by the clock. */
  async createRun(init: { experimentId: string; runName?: string; tags?: Record<string, string> }, signal?: AbortSignal): Promise<MlflowRun> {
    const body = { experiment_id: init.experimentId, run_name: init.runName, start_time: this.clock.now().getTime(), tags: keyValues(init.tags) };
    return (await this.post("/runs/create", body, R.run, signal, false)).run;
  }

  /** POST /runs/update; a terminal status without `endTime` ends the run now. */
  async updateRun(runId: string, update: { status?: "RUNNING" | "FINISHED" | "FAILED" | "KILLED"; endTime?: number; runName?: string }, signal?: AbortSignal): Promise<MlflowRunInfo> {
    const terminal = update.status !== undefined && update.status !== "RUNNING";
    const endTime = update.endTime ?? (terminal ? this.clock.now().getTime() : undefined);
    const body = { run_id: runId, status: update.status, end_time: endTime, run_name: update.runName };
    return (await this.post("/runs/update", body, R.runInfo, signal)).run_info;
  }

  /** GET /runs/get: the run with the latest value of each metric. */
  async getRun(runId: string, signal?: AbortSignal): Promise<MlflowRun> {
    return (await this.get("/runs/get", { run_id: runId }, R.run, signal)).run;
  }

  /** POST /runs/log-batch, split into requests within the documented limits; metrics are stamped now, step 0. */
  async logBatch(
    runId: string,
    batch: { metrics?: Record<string, number>; params?: Record<string, string | number>; tags?: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<void> {
    const timestamp = this.clock.now().getTime();
    const metrics: MlflowMetric[] = Object.entries(batch.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp, step: 0 }));
    const chunks = chunkLogBatch({ metrics, params: keyValues(batch.params), tags: keyValues(batch.tags) });
    for (const chunk of chunks) await this.post("/runs/log-batch", { run_id: runId, ...chunk }, Empty, signal);
  }

  /** PUT through the artifact proxy; `artifactUri` must be a run's `mlflow-artifacts:/...` URI. */
  async uploadArtifact(artifactUri: string, relPath: string, bytes: Uint8Array | string, contentType = "application/octet-stream", signal?: AbortSignal): Promise<void> {
    const path = `${ARTIFACTS}/${proxyArtifactPath(artifactUri, relPath).split("/").map(encodeURIComponent).join("/")}`;
    await this.http.text({ method: "PUT", path, body: bytes, contentType, signal, timeoutMs: 120_000 });
  }

  /** GET through the artifact proxy: the bytes of one artifact under a run's `mlflow-artifacts:/...` URI. */
  async downloadArtifact(artifactUri: string, relPath: string, signal?: AbortSignal): Promise<Uint8Array> {
    const path = `${ARTIFACTS}/${proxyArtifactPath(artifactUri, relPath).split("/").map(encodeURIComponent).join("/")}`;
    return this.http.bytes({ method: "GET", path, signal, timeoutMs: 120_000 });
  }

  /** Lists the artifacts under `path` of a run's `mlflow-artifacts:/...` URI; paths are relative to that URI. */
  async listArtifacts(artifactUri: string, path?: string, signal?: AbortSignal): Promise<{ path: string; is_dir: boolean; file_size: number | null }[]> {
    const query = { path: proxyArtifactPath(artifactUri, path) };
    const res = await this.http.json({ method: "GET", path: ARTIFACTS, query, signal }, R.artifacts);
    return (res.files ?? []).map((f) => ({ path: path ? `${path}/${f.path}` : f.path, is_dir: f.is_dir, file_size: f.file_size ?? null }));
  }

  /** Creates the registered model, or gets it when it exists. */
  async ensureRegisteredModel(name: string, signal?: AbortSignal): Promise<MlflowRegisteredModel> {
    const schema = R.registeredModel;
    try {
      return (await this.post("/registered-models/create", { name }, schema, signal, false)).registered_model;
    } catch (error) {
      if (mlflowErrorCode(error) !== "RESOURCE_ALREADY_EXISTS") throw error;
    }
    return (await this.get("/registered-models/get", { name }, schema, signal)).registered_model;
  }

  /** POST /model-versions/create; the version may start PENDING_REGISTRATION. */
  async createModelVersion(
    init: { name: string; source: string; runId: string; tags?: Record<string, string>; description?: string },
    signal?: AbortSignal,
  ): Promise<MlflowModelVersion> {
    const body = { name: init.name, source: init.source, run_id: init.runId, tags: keyValues(init.tags), description: init.description };
    return (await this.post("/model-versions/create", body, R.modelVersion, signal, false)).model_version;
  }

  /** Polls a model version until READY; FAILED_REGISTRATION and the timeout are errors. */
  async waitForModelVersionReady(name: string, version: string, opts: MlflowWaitOptions): Promise<MlflowModelVersion> {
    const deadline = this.clock.now().getTime() + opts.timeoutMs;
    const maxPolls = Math.ceil(opts.timeoutMs / this.pollIntervalMs) + 1;
    let last: MlflowModelVersion | null = null;
    for (let poll = 0; poll < maxPolls; poll++) {
      if (poll > 0) await this.clock.sleep(this.pollIntervalMs, opts.signal);
      last = await this.getModelVersion(name, version, opts.signal);
      if (!last) throw new AutopilotError("mlflow_version_missing", `mlflow: model ${name} has no version ${version}`);
      if (last.status === "READY") return last;
      if (last.status === "FAILED_REGISTRATION") {
        throw new AutopilotError("mlflow_registration_failed", `mlflow: registering ${name} v${version} failed${last.status_message ? `: ${last.status_message}` : ""}`, {
          details: { name, version, status_message: last.status_message },
        });
      }
      if (this.clock.now().getTime() >= deadline) break;
    }
    throw new AutopilotError("mlflow_registration_timeout", `mlflow: ${name} v${version} still ${last?.status ?? "unknown"} after ${opts.timeoutMs} ms`, {
      details: { name, version, status: last?.status },
    });
  }

  /** GET /model-versions/get; null when the model or version does not exist. */
  async getModelVersion(name: string, version: string, signal?: AbortSignal): Promise<MlflowModelVersion | null> {
    return nullWhenMissing(this.get("/model-versions/get", { name, version }, R.modelVersion, signal));
  }

  /** GET /registered-models/alias; null when the model or the alias does not exist. */
  async getModelVersionByAlias(name: string, alias: string, signal?: AbortSignal): Promise<MlflowModelVersion | null> {
    return nullWhenMissing(this.get("/registered-models/alias", { name, alias }, R.modelVersion, signal));
  }

  /** POST /registered-models/alias: points (or re-points) an alias at a version. */
  async setAlias(name: string, alias: string, version: string, signal?: AbortSignal): Promise<void> {
    await this.post("/registered-models/alias", { name, alias, version }, Empty, signal);
  }

  /** DELETE /registered-models/alias (JSON body). */
  async deleteAlias(name: string, alias: string, signal?: AbortSignal): Promise<void> {
    await this.http.json({ method: "DELETE", path: `${API}/registered-models/alias`, json: { name, alias }, signal }, Empty);
  }

  /** POST /model-versions/set-tag. */
  async setModelVersionTag(name: string, version: string, key: string, value: string, signal?: AbortSignal): Promise<void> {
    await this.post("/model-versions/set-tag", { name, version, key, value }, Empty, signal);
  }

  /** GET /model-versions/search, following page tokens (at most 20 pages). */
  async searchModelVersions(filter: string, signal?: AbortSignal): Promise<MlflowModelVersion[]> {
    const schema = R.modelVersionSearch;
    const out: MlflowModelVersion[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
      const res = await this.get("/model-versions/search", { filter, max_results: 1000, page_token: pageToken }, schema, signal);
      out.push(...(res.model_versions ?? []));
      pageToken = res.next_page_token || undefined;
      if (!pageToken) break;
    }
    return out;
  }

  private get<T>(path: string, query: HttpRequest["query"], schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return this.http.json({ method: "GET", path: `${API}${path}`, query, signal }, schema);
  }

  /** POSTs a JSON body; `retry` says whether repeating it is harmless (idempotent writes). */
  private post<T>(path: string, json: unknown, schema: z.ZodType<T>, signal?: AbortSignal, retry = true): Promise<T> {
    return this.http.json({ method: "POST", path: `${API}${path}`, json, signal, retry }, schema);
  }
}

/** `ERROR_CODE: message` from an MLflow error body, or the text of a non-JSON answer. */
export function mlflowErrorMessage(body: unknown, text: string): string | undefined {
  if (body && typeof body === "object" && "error_code" in body) {
    const b = body as { error_code?: unknown; message?: unknown };
    return `${String(b.error_code)}: ${typeof b.message === "string" ? b.message : ""}`.trim();
  }
  return text.trim().slice(0, 500) || undefined;
}

/** The MLflow error code of an UpstreamError (RESOURCE_DOES_NOT_EXIST, ...), when it has one. */
export function mlflowErrorCode(error: unknown): string | undefined {
  if (!isUpstreamError(error)) return undefined;
  return error.upstreamMessage?.match(/^([A-Z][A-Z_]+):/)?.[1];
}

async function nullWhenMissing<T extends { model_version: MlflowModelVersion }>(request: Promise<T>): Promise<MlflowModelVersion | null> {
  try {
    return (await request).model_version;
  } catch (error) {
    if (isUpstreamError(error) && error.status === 404) return null;
    // Real servers answer a missing alias with 400 INVALID_PARAMETER_VALUE "Registered model alias X not found."
    if (mlflowErrorCode(error) === "INVALID_PARAMETER_VALUE" && /alias .* not found/i.test(error instanceof Error ? error.message : "")) return null;
    throw error;
  }
}

function keyValues(record: Record<string, string | number> | undefined): { key: string; value: string }[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value: String(value) }));
}
