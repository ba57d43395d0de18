import { existsSync, readFileSync } from "node:fs";
import { parseCsv } from "../../csv.js";

/**
 * A small in-memory H2O-3 for tool tests, answering the subset of section 5 the client uses with
 * the documented shapes. It reads imported files from the local disk, like a one-node cloud.
 */

type Cell = number | string | null;
interface FakeColumn {
  name: string;
  type: "real" | "enum" | "string";
  values: Cell[];
}
interface FakeModel {
  id: string;
  algo: string;
  ntrees: number;
  maxDepth: number;
  seed: number;
}
interface FakeJob {
  pollsLeft: number;
  status: "DONE" | "FAILED" | "CANCELLED";
  exception?: string;
  description: string;
  dest: string;
}

/** How the fake behaves. */
export interface FakeH2oOptions {
  /** Polls a job answers RUNNING before it ends (default 1). */
  runningPolls?: number;
  /** The end of every model build (default DONE). */
  train?: { status: "DONE" } | { status: "FAILED" | "CANCELLED"; exception: string };
  /** The score a model gives a row (default: its bm25 column). */
  score?: (modelId: string, row: Record<string, Cell>) => number;
}

/** The fake's fetch and state. */
export interface FakeH2o {
  fetch: typeof fetch;
  frames: Map<string, FakeColumn[]>;
  models: Map<string, FakeModel>;
  /** Every request: method, path below /h2o, form fields. */
  requests: { method: string; path: string; form: Record<string, string> }[];
  /** Adds a trained model (a champion trained earlier). */
  addModel(id: string, model: Partial<Omit<FakeModel, "id">>): void;
}

/** Creates a fake H2O-3; point an H2oClient's fetch at `fetch`. */
export function createFakeH2o(options: FakeH2oOptions = {}): FakeH2o {
  const raw = new Map<string, string>();
  const frames = new Map<string, FakeColumn[]>();
  const models = new Map<string, FakeModel>();
  const jobs = new Map<string, FakeJob>();
  const requests: FakeH2o["requests"] = [];
  let seq = 0;
  const score = options.score ?? ((_id, row) => Number(row.bm25 ?? 0));

  const startJob = (description: string, dest: string, end: Pick<FakeJob, "status" | "exception"> = { status: "DONE" }) => {
    const key = `$03017f00000132d4ffffffff$_job${++seq}`;
    jobs.set(key, { pollsLeft: options.runningPolls ?? 1, description, dest, ...end });
    return { key: { name: key }, description, status: "RUNNING", progress: 0, dest: { name: dest } };
  };

  async function handle(method: string, path: string, query: URLSearchParams, form: URLSearchParams) {
    let m: RegExpMatchArray | null;
    if (method === "POST" && path === "/3/ImportFiles") {
      const file = form.get("path") ?? "";
      if (!existsSync(file)) return error(404, `File ${file} does not exist`);
      raw.set(`nfs:/${file}`, readFileSync(file, "utf8"));
      return ok({ files: [file], destination_frames: [`nfs:/${file}`], fails: [], dels: [] });
    }
    if (method === "POST" && path === "/3/ParseSetup") {
      const source = list(form.get("source_frames"))[0] ?? "";
      const rows = parseCsv(raw.get(source) ?? "");
      const header = rows[0] ?? [];
      const types = header.map((name, c) =>
        name === "query" ? "String" : rows.slice(1).every((r) => r[c] === "" || !Number.isNaN(Number(r[c]))) ? "Numeric" : "Enum",
      );
      return ok({ source_frames: [{ name: source }], parse_type: "CSV", separator: 44, check_header: 1, column_names: header, column_types: types, number_columns: header.length, chunk_size: 4194304, single_quotes: false });
    }
    if (method === "POST" && path === "/3/Parse") {
      const dest = form.get("destination_frame") ?? "";
      const [header = [], ...rows] = parseCsv(raw.get(list(form.get("source_frames"))[0] ?? "") ?? "");
      const types = list(form.get("column_types"));
      frames.set(
        dest,
        header.map((name, c) => {
          const type = types[c] === "Numeric" ? "real" : types[c] === "String" ? "string" : "enum";
          return { name, type, values: rows.map((r) => (r[c] === undefined || r[c] === "" ? null : type === "real" ? Number(r[c]) : r[c]!)) };
        }),
      );
      return ok({ job: startJob("Parse", dest) });
    }
    if ((m = path.match(/^\/3\/Jobs\/(.+)$/)) && method === "GET") {
      const key = decodeURIComponent(m[1]!);
      const job = jobs.get(key);
      if (!job) return error(404, `Object '${key}' not found for argument: key`);
      const status = job.pollsLeft-- > 0 ? "RUNNING" : job.status;
      return ok({ jobs: [{ key: { name: key }, description: job.description, status, progress: status === "RUNNING" ? 0.5 : 1, dest: { name: job.dest }, exception: status === "FAILED" || status === "CANCELLED" ? job.exception : null }] });
    }
    if ((m = path.match(/^\/3\/ModelBuilders\/(\w+)$/)) && method === "POST") {
      const frame = frames.get(form.get("training_frame") ?? "");
      if (!frame) return error(404, `Object '${form.get("training_frame")}' not found for argument: training_frame`);
      const response = form.get("response_column") ?? "";
      if (!frame.some((c) => c.name === response)) {
        return { status: 412, body: { msg: "Illegal argument(s)", http_status: 412, error_count: 1, messages: [{ message_type: "ERRR", field_name: "response_column", message: `Response column '${response}' not found in frame` }] } };
      }
      const id = form.get("model_id") ?? `${m[1]}_model_${++seq}`;
      const model = { id, algo: m[1]!, ntrees: Number(form.get("ntrees") ?? 50), maxDepth: Number(form.get("max_depth") ?? 5), seed: Number(form.get("seed") ?? -1) };
      const end = options.train ?? { status: "DONE" as const };
      if (end.status === "DONE") models.set(id, model);
      return ok({ job: startJob(m[1]!.toUpperCase(), id, end), messages: [], error_count: 0 });
    }
    if ((m = path.match(/^\/3\/Models\/([^/]+)(\/mojo)?$/))) {
      const id = decodeURIComponent(m[1]!);
      const model = models.get(id);
      if (!model) return error(404, `Object '${id}' not found for argument: key`);
      if (method === "DELETE") {
        models.delete(id);
        return ok({});
      }
      if (m[2]) return { status: 200, body: `PK\u0003\u0004mojo:${id}` };
      return ok({ models: [modelJson(model)] });
    }
    if ((m = path.match(/^\/3\/Predictions\/models\/([^/]+)\/frames\/([^/]+)$/)) && method === "POST") {
      const [modelId, frameId] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const frame = frames.get(frameId);
      if (!models.has(modelId) || !frame) return error(404, `Object '${models.has(modelId) ? frameId : modelId}' not found`);
      const rows = frame[0]?.values.length ?? 0;
      const out = form.get("predictions_frame") ?? `prediction_${modelId}_on_${frameId}`;
      const predict = Array.from({ length: rows }, (_, r) => score(modelId, Object.fromEntries(frame.map((c) => [c.name, c.values[r] ?? null]))));
      frames.set(out, [{ name: "predict", type: "real", values: predict }]);
      return ok({ predictions_frame: { name: out }, model_metrics: [] });
    }
    if ((m = path.match(/^\/3\/Frames\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]!);
      const frame = frames.get(id);
      if (!frame) return error(404, `Object '${id}' not found for argument: key`);
      if (method === "DELETE") {
        frames.delete(id);
        return ok({});
      }
      const offset = Number(query.get("row_offset") ?? 0);
      const count = Number(query.get("row_count") ?? 100);
      const rows = frame[0]?.values.length ?? 0;
      return ok({ frames: [{ rows, columns: frame.map((c) => colV3(c, offset, count)) }] });
    }
    return { status: 404, body: "" };
  }

  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const method = init.method ?? "GET";
    const path = url.pathname.replace(/^\/h2o/, "");
    const form = new URLSearchParams(typeof init.body === "string" ? init.body : "");
    requests.push({ method, path, form: Object.fromEntries(form) });
    const { status, body } = await handle(method, path, url.searchParams, form);
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };

  return {
    fetch: fetchImpl as typeof fetch,
    frames,
    models,
    requests,
    addModel(id, model) {
      models.set(id, { id, algo: model.algo ?? "gbm", ntrees: model.ntrees ?? 50, maxDepth: model.maxDepth ?? 5, seed: model.seed ?? -1 });
    },
  };
}

function ok(body: object) {
  return { status: 200, body: { __meta: { schema_version: 3, schema_name: "FakeV3", schema_type: "Iced" }, ...body } };
}

function error(status: number, msg: string) {
  return { status, body: { msg, http_status: status, exception_msg: msg, exception_type: "water.exceptions.H2ONotFoundArgumentException", stacktrace: [] } };
}

function list(value: string | null): string[] {
  const inner = (value ?? "").replace(/^\[|\]$/g, "");
  return inner ? inner.split(",").map((s) => s.trim().replace(/^"|"$/g, "")) : [];
}

function colV3(c: FakeColumn, offset: number, count: number) {
  const values = c.values.slice(offset, offset + count);
  if (c.type === "string") return { label: c.name, type: "string", domain: null, data: null, string_data: values.map((v) => (v === null ? null : String(v))) };
  if (c.type === "real") return { label: c.name, type: "real", domain: null, data: values.map((v) => (typeof v === "number" && !Number.isNaN(v) ? v : "NaN")), string_data: null };
  const domain = [...new Set(c.values.filter((v) => v !== null).map(String))].sort();
  return { label: c.name, type: "enum", domain, data: values.map((v) => (v === null ? "NaN" : domain.indexOf(String(v)))), string_data: null };
}

function modelJson(m: FakeModel) {
  const summary = [["", ""], ["number_of_trees", m.ntrees], ["model_size_in_bytes", m.ntrees * m.maxDepth * 100], ["max_depth", m.maxDepth], ["mean_depth", m.maxDepth]] as const;
  return {
    model_id: { name: m.id },
    algo: m.algo,
    response_column_name: "label",
    have_mojo: true,
    parameters: [
      { name: "ntrees", actual_value: m.ntrees },
      { name: "max_depth", actual_value: m.maxDepth },
      { name: "learn_rate", actual_value: 0.1 },
      { name: "sample_rate", actual_value: 1 },
      { name: "seed", actual_value: m.seed },
    ],
    output: {
      model_category: "Regression",
      training_metrics: { MSE: 0.25, RMSE: 0.5, r2: 0.6, mae: 0.4, rmsle: "NaN", scoring_time: 1 },
      model_summary: { name: "Model Summary", columns: summary.map(([name]) => ({ name })), rowcount: 1, data: summary.map(([, v]) => [v]) },
    },
  };
}
