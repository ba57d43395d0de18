import { AutopilotError, type Clock } from "../../core/index.js";
import { createHttpClient, isUpstreamError, UpstreamError, type HttpClient } from "../http.js";
import { H2oJobError, h2oErrorMessage } from "./errors.js";
import { decodeColumn, type H2oCell } from "./frame-columns.js";
import { toForm, type H2oParam } from "./form.js";
import { toH2oModel, type H2oModel } from "./model.js";
import {
  H2oCloudSchema,
  H2oFramesSchema,
  H2oImportFilesSchema,
  H2oJobsSchema,
  H2oModelBuilderSchema,
  H2oModelsSchema,
  H2oParseSchema,
  H2oParseSetupSchema,
  H2oPredictionsSchema,
  type H2oCloud,
  type H2oJob,
  type H2oParseSetup,
} from "./schemas.js";
import { z } from "zod";

/** How to reach an H2O-3 cluster. */
export interface H2oClientOptions {
  /** e.g. http://localhost:54321 (paths /3/... are appended). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 30 s: H2O answers slowly under load). */
  timeoutMs?: number;
  /** Retries of network errors and 5xx (default 2). */
  retries?: number;
  /** Extra headers, e.g. basic auth; their values never appear in errors. */
  headers?: Record<string, string>;
  clock: Clock;
  /** Time between two polls of a job (default 1000 ms). */
  pollIntervalMs?: number;
  /** Rows fetched per GET /3/Frames page (default 10,000). */
  framePageRows?: number;
}

/** Options of a wait. */
export interface H2oWaitOptions {
  /** Upper bound of the wait, in clock time. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Options of a single request. */
export interface H2oRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_FRAME_PAGE = 10_000;

/** A typed client of the H2O-3 REST API v3 (section 5 of the API contract reference). */
export class H2oClient {
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly framePageRows: number;

  constructor(options: H2oClientOptions) {
    const headers = options.headers;
    this.clock = options.clock;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.framePageRows = options.framePageRows ?? DEFAULT_FRAME_PAGE;
    this.http = createHttpClient({
      system: "h2o",
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries,
      headers: headers ? () => ({ ...headers }) : undefined,
      errorMessage: h2oErrorMessage,
      sleep: (ms) => options.clock.sleep(ms),
    });
  }

  /** GET /3/Cloud: the cluster's version and health (healthy when `cloud_healthy && consensus`). */
  async cloud(opts: H2oRequestOptions = {}): Promise<H2oCloud> {
    return this.http.json({ method: "GET", path: "/3/Cloud", ...opts }, H2oCloudSchema);
  }

  /** POST /3/ImportFiles: imports a server-side file; returns the raw frame keys. */
  async importFiles(path: string, opts: H2oRequestOptions = {}): Promise<string[]> {
    const res = await this.http.json({ method: "POST", path: "/3/ImportFiles", form: { path }, retry: true, ...opts }, H2oImportFilesSchema);
    const fails = res.fails ?? [];
    const frames = res.destination_frames ?? [];
    if (fails.length > 0 || frames.length === 0) {
      throw new AutopilotError("h2o_import_failed", `h2o: importing ${path} failed${fails.length ? ` for ${fails.join(", ")}` : ": no file found"}`, {
        details: { path, fails },
      });
    }
    return frames;
  }

  /** POST /3/ParseSetup: H2O's guess of how to parse the raw frames (first line as header). */
  async parseSetup(sourceFrames: readonly string[], opts: H2oRequestOptions = {}): Promise<H2oParseSetup> {
    const form = toForm({ source_frames: sourceFrames, check_header: 1 });
    return this.http.json({ method: "POST", path: "/3/ParseSetup", form, retry: true, ...opts }, H2oParseSetupSchema);
  }

  /** POST /3/Parse: starts parsing with a setup; returns the job key and the frame id. */
  async parse(setup: H2oParseSetup, destinationFrame: string, opts: H2oRequestOptions = {}): Promise<{ jobKey: string; frameId: string }> {
    const params: Record<string, H2oParam> = {
      destination_frame: destinationFrame,
      source_frames: setup.source_frames.map((k) => k.name),
      parse_type: setup.parse_type,
      separator: setup.separator,
      number_columns: setup.number_columns,
      column_names: setup.column_names ?? undefined,
      column_types: setup.column_types ?? undefined,
      check_header: setup.check_header,
      chunk_size: setup.chunk_size ?? undefined,
      single_quotes: setup.single_quotes ?? undefined,
      delete_on_done: true,
      blocking: false,
    };
    const res = await this.http.json({ method: "POST", path: "/3/Parse", form: toForm(params), ...opts }, H2oParseSchema);
    return { jobKey: res.job.key.name, frameId: res.job.dest?.name ?? destinationFrame };
  }

  /** Polls GET /3/Jobs/{key} until the job ends; throws H2oJobError when it FAILED or was CANCELLED. */
  async waitForJob(jobKey: string, opts: H2oWaitOptions): Promise<H2oJob> {
    const path = `/3/Jobs/${encodeURIComponent(jobKey)}`;
    const deadline = this.clock.now().getTime() + opts.timeoutMs;
    const maxPolls = Math.ceil(opts.timeoutMs / this.pollIntervalMs) + 1;
    let last: H2oJob | undefined;
    for (let poll = 0; poll < maxPolls; poll++) {
      if (poll > 0) await this.clock.sleep(this.pollIntervalMs, opts.signal);
      const res = await this.http.json({ method: "GET", path, signal: opts.signal }, H2oJobsSchema);
      last = res.jobs[0]!;
      if (last.status === "DONE") return last;
      if (last.status === "FAILED" || last.status === "CANCELLED") {
        throw new H2oJobError({ jobKey, status: last.status, description: last.description ?? undefined, exception: last.exception });
      }
      if (this.clock.now().getTime() >= deadline) break;
    }
    const progress = last?.progress != null ? ` at ${Math.round(last.progress * 100)}%` : "";
    throw new AutopilotError("h2o_job_timeout", `h2o: job ${jobKey} still ${last?.status ?? "unknown"}${progress} after ${opts.timeoutMs} ms`, {
      details: { jobKey, status: last?.status },
    });
  }

  /** Imports a server-side CSV and parses it into `destinationFrame`; returns the frame id. */
  async importAndParse(path: string, destinationFrame: string, opts: H2oWaitOptions): Promise<string> {
    const raw = await this.importFiles(path, { signal: opts.signal });
    const setup = await this.parseSetup(raw, { signal: opts.signal });
    const { jobKey, frameId } = await this.parse(setup, destinationFrame, { signal: opts.signal });
    await this.waitForJob(jobKey, opts);
    return frameId;
  }

  /**
   * POST /3/ModelBuilders/{algo}: starts training. Parameter validation errors (412, or an
   * answer with `error_count > 0`) become an UpstreamError listing H2O's messages.
   */
  async buildModel(algo: string, params: Record<string, H2oParam>, opts: H2oRequestOptions = {}): Promise<{ jobKey: string; modelId: string }> {
    const path = `/3/ModelBuilders/${encodeURIComponent(algo)}`;
    let res: z.infer<typeof H2oModelBuilderSchema>;
    try {
      res = await this.http.json({ method: "POST", path, form: toForm(params), ...opts }, H2oModelBuilderSchema);
    } catch (error) {
      if (isUpstreamError(error) && error.status === 412) throw invalidParameters(algo, path, error.upstreamMessage, error);
      throw error;
    }
    if (!res.job || (res.error_count ?? 0) > 0) {
      const messages = (res.messages ?? []).filter((m) => m.message_type === "ERRR" || m.message_type === "ERROR");
      const listed = messages.map((m) => `${(m.field_name ?? "").replace(/^_/, "")}: ${m.message ?? "invalid"}`).join("; ");
      throw invalidParameters(algo, path, listed ? `invalid parameters: ${listed}` : "no job started", undefined);
    }
    const modelId = res.job.dest?.name ?? (typeof params.model_id === "string" ? params.model_id : undefined);
    if (!modelId) throw new AutopilotError("h2o_no_model_id", `h2o: ${algo} job ${res.job.key.name} names no model`);
    return { jobKey: res.job.key.name, modelId };
  }

  /** GET /3/Models/{id}: the model's category, training metrics, summary and parameters. */
  async getModel(modelId: string, opts: H2oRequestOptions = {}): Promise<H2oModel> {
    const res = await this.http.json({ method: "GET", path: `/3/Models/${encodeURIComponent(modelId)}`, ...opts }, H2oModelsSchema);
    return toH2oModel(res.models[0]!);
  }

  /** POST /3/Predictions/models/{m}/frames/{f} (synchronous); returns the predictions frame id. */
  async predict(modelId: string, frameId: string, opts: H2oRequestOptions & { predictionsFrame?: string } = {}): Promise<string> {
    const path = `/3/Predictions/models/${encodeURIComponent(modelId)}/frames/${encodeURIComponent(frameId)}`;
    const form = toForm({ predictions_frame: opts.predictionsFrame });
    const res = await this.http.json({ method: "POST", path, form, signal: opts.signal, timeoutMs: opts.timeoutMs }, H2oPredictionsSchema);
    return res.predictions_frame.name;
  }

  /**
   * GET /3/Frames/{id} page by page: the first `rowCount` rows of the frame (fewer when it is
   * shorter) by column, numeric, enum (domain lookup) and string columns decoded.
   */
  async getFrameColumns(frameId: string, opts: { columns?: readonly string[]; rowCount: number; signal?: AbortSignal }): Promise<Record<string, H2oCell[]>> {
    const path = `/3/Frames/${encodeURIComponent(frameId)}`;
    const out: Record<string, H2oCell[]> = {};
    for (const name of opts.columns ?? []) out[name] = [];
    let total = opts.rowCount;
    let offset = 0;
    while (offset < total) {
      const count = Math.min(this.framePageRows, total - offset);
      const query = { row_offset: offset, row_count: count };
      const res = await this.http.json({ method: "GET", path, query, signal: opts.signal }, H2oFramesSchema);
      const frame = res.frames[0]!;
      total = Math.min(total, frame.rows);
      let pageRows = Infinity;
      for (const name of opts.columns ?? frame.columns.map((c) => c.label)) {
        const column = frame.columns.find((c) => c.label === name);
        if (!column) throw new AutopilotError("h2o_column_missing", `h2o: frame ${frameId} has no column "${name}"`, { details: { frameId, column: name } });
        const cells = decodeColumn(column).slice(0, count);
        (out[name] ??= []).push(...cells);
        pageRows = Math.min(pageRows, cells.length);
      }
      if (!Number.isFinite(pageRows) || pageRows === 0) break; // nothing new: stop rather than loop
      offset += pageRows;
    }
    return out;
  }

  /** GET /3/Models/{id}/mojo: the MOJO zip. */
  async downloadMojo(modelId: string, opts: H2oRequestOptions = {}): Promise<Uint8Array> {
    const path = `/3/Models/${encodeURIComponent(modelId)}/mojo`;
    return this.http.bytes({ method: "GET", path, headers: { accept: "application/zip, application/octet-stream" }, ...opts });
  }

  /** DELETE /3/Frames/{id}. */
  async deleteFrame(frameId: string, opts: H2oRequestOptions = {}): Promise<void> {
    await this.http.text({ method: "DELETE", path: `/3/Frames/${encodeURIComponent(frameId)}`, ...opts });
  }

  /** DELETE /3/Models/{id}. */
  async deleteModel(modelId: string, opts: H2oRequestOptions = {}): Promise<void> {
    await this.http.text({ method: "DELETE", path: `/3/Models/${encodeURIComponent(modelId)}`, ...opts });
  }
}

function invalidParameters(algo: string, path: string, upstreamMessage: string | undefined, cause: UpstreamError | undefined): UpstreamError {
  return new UpstreamError({
    system: "h2o",
    request: `POST ${path}`,
    status: cause?.status ?? 412,
    upstreamMessage,
    retryable: false,
    code: "h2o_invalid_parameters",
    message: `h2o rejected the ${algo} parameters: ${upstreamMessage ?? "no details"}`,
    cause,
  });
}
