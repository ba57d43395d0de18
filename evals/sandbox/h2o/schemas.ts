import { frameKey, h2oNumber, meta } from "./frame.js";

/** An H2O REST error: renders as H2OErrorV3 (or H2OModelBuilderErrorV3 when `builder` is set). */
export class H2oError extends Error {
  override name = "H2oError";
  constructor(
    readonly status: number,
    message: string,
    readonly builder?: { algo: string; modelId: string; messages: { field: string; message: string }[]; parameters: Record<string, unknown> },
  ) {
    super(message);
  }
}

const EXCEPTION_TYPES: Record<number, string> = {
  400: "water.exceptions.H2OIllegalArgumentException",
  404: "water.exceptions.H2OKeyNotFoundArgumentException",
  412: "water.exceptions.H2OIllegalArgumentException",
  500: "java.lang.RuntimeException",
};

/** The H2OErrorV3 body of a failure. */
export function h2oErrorJson(status: number, msg: string, url: string, now: number) {
  return {
    __meta: meta("H2OErrorV3", "H2OError"),
    timestamp: now,
    error_url: url,
    msg,
    dev_msg: msg,
    http_status: status,
    values: {},
    exception_type: EXCEPTION_TYPES[status] ?? EXCEPTION_TYPES[500],
    exception_msg: msg,
    stacktrace: [],
  };
}

/** The H2OModelBuilderErrorV3 body of a rejected model build (HTTP 412). */
export function builderErrorJson(error: H2oError, url: string, now: number) {
  const b = error.builder!;
  const details = b.messages.map((m) => `ERRR on field: _${m.field === "training_frame" ? "train" : m.field}: ${m.message}`).join("\n");
  const msg = `Illegal argument(s) for ${b.algo.toUpperCase()} model: ${b.modelId}.  Details: ${details}\n`;
  return {
    ...h2oErrorJson(412, msg, url, now),
    __meta: meta("H2OModelBuilderErrorV3", "ModelBuilder"),
    exception_type: "water.exceptions.H2OModelBuilderIllegalArgumentException",
    parameters: b.parameters,
    messages: b.messages.map((m) => ({ __meta: meta("ValidationMessageV3", "ValidationMessage"), message_type: "ERRR", field_name: m.field, message: m.message })),
    error_count: b.messages.length,
  };
}

/** A job as `GET /3/Jobs/{key}` returns it. */
export interface JobState {
  key: string;
  description: string;
  dest: string;
  destType: "Key<Frame>" | "Key<Model>";
  status: "RUNNING" | "DONE" | "FAILED";
  progress: number;
  startTime: number;
  msec: number;
  exception?: string;
}

/** JobV3 JSON. */
export function jobJson(job: JobState) {
  const destSchema = job.destType === "Key<Frame>" ? "FrameKeyV3" : "ModelKeyV3";
  const destUrl = job.destType === "Key<Frame>" ? `/3/Frames/${job.dest}` : `/3/Models/${job.dest}`;
  return {
    __meta: meta("JobV3", "Job"),
    key: { __meta: meta("JobKeyV3", "Key<Job>"), name: job.key, type: "Key<Job>", URL: `/3/Jobs/${job.key}` },
    description: job.description,
    status: job.status,
    progress: job.progress,
    progress_msg: job.status === "RUNNING" ? "Running" : job.status === "DONE" ? "Done." : "Failed.",
    start_time: job.startTime,
    msec: job.msec,
    dest: { __meta: meta(destSchema, job.destType), name: job.dest, type: job.destType, URL: destUrl },
    warnings: null,
    exception: job.status === "FAILED" ? (job.exception ?? "java.lang.RuntimeException") : null,
    stacktrace: job.status === "FAILED" ? `${job.exception}\n\tat hex.ModelBuilder$Driver.compute2(ModelBuilder.java:255)` : null,
    ready_for_view: job.status !== "RUNNING",
    auto_recoverable: false,
  };
}

/** A model's regression metrics (ModelMetricsRegressionV3) from labels and predictions. */
export function regressionMetrics(model: string, frame: string, labels: readonly number[], predictions: readonly number[], now: number) {
  const n = labels.length;
  const residuals = labels.map((label, i) => predictions[i]! - label);
  const mse = n ? residuals.reduce((a, r) => a + r * r, 0) / n : NaN;
  const mae = n ? residuals.reduce((a, r) => a + Math.abs(r), 0) / n : NaN;
  const mean = n ? labels.reduce((a, b) => a + b, 0) / n : NaN;
  const variance = n ? labels.reduce((a, b) => a + (b - mean) ** 2, 0) / n : NaN;
  return {
    __meta: meta("ModelMetricsRegressionV3", "ModelMetricsRegression"),
    model: { __meta: meta("ModelKeyV3", "Key<Model>"), name: model, type: "Key<Model>", URL: `/3/Models/${model}` },
    frame: frameKey(frame),
    model_category: "Regression",
    description: null,
    scoring_time: now,
    nobs: n,
    MSE: h2oNumber(mse),
    RMSE: h2oNumber(Math.sqrt(mse)),
    mae: h2oNumber(mae),
    rmsle: "NaN",
    r2: h2oNumber(variance > 0 ? 1 - mse / variance : NaN),
    mean_residual_deviance: h2oNumber(mse),
    custom_metric_name: null,
    custom_metric_value: 0,
  };
}

/** A TwoDimTableV3; H2O stores `data` column by column. */
export function twoDimTable(name: string, columns: { name: string; type: string; format: string }[], rows: unknown[][]) {
  return {
    __meta: meta("TwoDimTableV3", "TwoDimTable"),
    name,
    description: "",
    columns: columns.map((c) => ({ __meta: meta("ColumnSpecsBase", "Iced"), ...c, description: c.name })),
    rowcount: rows.length,
    data: columns.map((_, c) => rows.map((row) => row[c])),
  };
}

/** `GET /3/Cloud`. */
export function cloudJson(uptimeMs: number) {
  return {
    __meta: meta("CloudV3", "Iced"),
    skip_ticks: false,
    version: "3.46.0.10",
    branch_name: "rel-3.46.0",
    last_commit_hash: "sandbox",
    describe: "jenkins-3.46.0.10",
    compiled_by: "sandbox",
    build_number: "10",
    build_age: "1 month",
    build_too_old: false,
    node_idx: 0,
    cloud_name: "sandbox",
    cloud_size: 1,
    cloud_uptime_millis: uptimeMs,
    cloud_internal_timezone: "UTC",
    datafile_parser_timezone: "UTC",
    cloud_healthy: true,
    bad_nodes: 0,
    consensus: true,
    locked: true,
    is_client: false,
    nodes: [{ __meta: meta("NodeV3", "Iced"), h2o: "127.0.0.1:54321", ip_port: "127.0.0.1:54321", healthy: true, last_ping: uptimeMs, pid: 1, num_cpus: 8, cpus_allowed: 8, nthreads: 8, sys_load: 0.4 }],
    internal_security_enabled: false,
    web_ip: "127.0.0.1",
  };
}
