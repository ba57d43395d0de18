/**
 * A small in-memory MLflow tracking server and registry for tool tests, answering the subset of
 * section 3 the client uses with the documented shapes and error codes.
 */

interface FakeRun {
  info: { run_id: string; run_name: string; experiment_id: string; status: string; start_time: number; end_time?: number; artifact_uri: string; lifecycle_stage: string };
  metrics: Map<string, { value: number; timestamp: number; step: number }[]>;
  params: Map<string, string>;
  tags: Map<string, string>;
}
interface FakeVersion {
  version: string;
  source: string;
  run_id: string;
  tags: Map<string, string>;
  polls: number;
}

/** How the fake behaves. */
export interface FakeMlflowOptions {
  /** GETs of a new version that answer PENDING_REGISTRATION before READY (default 1). */
  pendingPolls?: number;
  /** false answers the artifact endpoints 503 like `mlflow server --no-serve-artifacts`. */
  serveArtifacts?: boolean;
}

/** The fake's fetch and state. */
export interface FakeMlflow {
  fetch: typeof fetch;
  runs: Map<string, FakeRun>;
  artifacts: Map<string, Uint8Array>;
  models: Map<string, { versions: Map<string, FakeVersion>; aliases: Map<string, string> }>;
  requests: { method: string; path: string; body: unknown }[];
  /** Adds a READY version with a run, e.g. a champion registered earlier; returns the run id. */
  seedVersion(name: string, init: { h2oModelId?: string; aliases?: string[]; tags?: Record<string, string> }): { version: string; runId: string };
}

/** Creates a fake MLflow; point an MlflowClient's fetch at `fetch` with base URL http://.../mlflow. */
export function createFakeMlflow(options: FakeMlflowOptions = {}): FakeMlflow {
  const experiments = new Map<string, string>();
  const runs = new Map<string, FakeRun>();
  const artifacts = new Map<string, Uint8Array>();
  const models: FakeMlflow["models"] = new Map();
  const requests: FakeMlflow["requests"] = [];
  let seq = 0;
  const now = 1767225600000;

  const createRun = (experimentId: string, name: string, tags: Record<string, string>) => {
    const runId = `run${String(++seq).padStart(4, "0")}`;
    const run: FakeRun = {
      info: { run_id: runId, run_name: name, experiment_id: experimentId, status: "RUNNING", start_time: now, artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycle_stage: "active" },
      metrics: new Map(),
      params: new Map(),
      tags: new Map(Object.entries({ ...tags, "mlflow.runName": name })),
    };
    runs.set(runId, run);
    return run;
  };
  const model = (name: string) => models.get(name);
  const addVersion = (name: string, source: string, runId: string, tags: Record<string, string>, polls: number) => {
    const m = model(name)!;
    const v: FakeVersion = { version: String(m.versions.size + 1), source, run_id: runId, tags: new Map(Object.entries(tags)), polls };
    m.versions.set(v.version, v);
    return v;
  };
  const versionJson = (name: string, v: FakeVersion, peek = false) => {
    const status = v.polls > 0 ? "PENDING_REGISTRATION" : "READY";
    if (!peek && v.polls > 0) v.polls--;
    const aliases = [...model(name)!.aliases].filter(([, ver]) => ver === v.version).map(([a]) => a);
    return { name, version: v.version, creation_timestamp: now, source: v.source, run_id: v.run_id, status, tags: kv(v.tags), aliases, current_stage: "None" };
  };
  const runJson = (r: FakeRun) => ({
    info: r.info,
    data: {
      metrics: [...r.metrics].map(([key, history]) => ({ key, ...history.at(-1)! })),
      params: kv(r.params),
      tags: kv(r.tags),
    },
  });

  function handle(method: string, path: string, q: URLSearchParams, body: Record<string, unknown>, raw: Uint8Array | undefined): [number, unknown] {
    const art = path.match(/^\/api\/2\.0\/mlflow-artifacts\/artifacts(?:\/(.*))?$/);
    if (art) {
      if (options.serveArtifacts === false) return [503, "Endpoint disabled due to the mlflow server running with `--no-serve-artifacts`"];
      if (method === "PUT") {
        artifacts.set(decodeURIComponent(art[1] ?? ""), raw ?? new Uint8Array());
        return [200, {}];
      }
      const dir = q.get("path") ?? "";
      const files = [...artifacts.keys()].filter((k) => k.startsWith(`${dir}/`)).map((k) => ({ path: k.slice(dir.length + 1), is_dir: false, file_size: artifacts.get(k)!.length }));
      return [200, { files }];
    }
    const route = `${method} ${path.replace(/^\/api\/2\.0\/mlflow/, "")}`;
    const s = (k: string) => String(body[k] ?? q.get(k) ?? "");
    switch (route) {
      case "POST /experiments/create":
        if (experiments.has(s("name"))) return err(400, "RESOURCE_ALREADY_EXISTS", `Experiment '${s("name")}' already exists.`);
        experiments.set(s("name"), String(100 + experiments.size));
        return [200, { experiment_id: experiments.get(s("name")) }];
      case "GET /experiments/get-by-name": {
        const id = experiments.get(s("experiment_name"));
        return id ? [200, { experiment: { experiment_id: id, name: s("experiment_name"), lifecycle_stage: "active" } }] : err(404, "RESOURCE_DOES_NOT_EXIST", "no experiment");
      }
      case "POST /runs/create": {
        const tags = Object.fromEntries(((body.tags ?? []) as { key: string; value: string }[]).map((t) => [t.key, t.value]));
        return [200, { run: runJson(createRun(s("experiment_id"), s("run_name"), tags)) }];
      }
      case "POST /runs/update":
      case "POST /runs/log-batch":
      case "GET /runs/get": {
        const run = runs.get(s("run_id"));
        if (!run) return err(404, "RESOURCE_DOES_NOT_EXIST", `Run '${s("run_id")}' not found`);
        if (route === "GET /runs/get") return [200, { run: runJson(run) }];
        if (route === "POST /runs/update") {
          Object.assign(run.info, { status: body.status ?? run.info.status, end_time: body.end_time });
          return [200, { run_info: run.info }];
        }
        for (const p of (body.params ?? []) as { key: string; value: string }[]) {
          if (run.params.has(p.key) && run.params.get(p.key) !== p.value) return err(400, "INVALID_PARAMETER_VALUE", `Changing param values is not allowed (${p.key})`);
          run.params.set(p.key, p.value);
        }
        for (const t of (body.tags ?? []) as { key: string; value: string }[]) run.tags.set(t.key, t.value);
        for (const m of (body.metrics ?? []) as { key: string; value: number; timestamp: number; step: number }[]) {
          run.metrics.set(m.key, [...(run.metrics.get(m.key) ?? []), { value: m.value, timestamp: m.timestamp, step: m.step }]);
        }
        return [200, {}];
      }
      case "POST /registered-models/create":
        if (models.has(s("name"))) return err(400, "RESOURCE_ALREADY_EXISTS", `Registered Model (name=${s("name")}) already exists.`);
        models.set(s("name"), { versions: new Map(), aliases: new Map() });
        return [200, { registered_model: { name: s("name") } }];
      case "GET /registered-models/get":
        return model(s("name")) ? [200, { registered_model: { name: s("name") } }] : err(404, "RESOURCE_DOES_NOT_EXIST", "no model");
      case "POST /model-versions/create": {
        if (!model(s("name"))) return err(404, "RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${s("name")} not found`);
        const tags = Object.fromEntries(((body.tags ?? []) as { key: string; value: string }[]).map((t) => [t.key, t.value]));
        const v = addVersion(s("name"), s("source"), s("run_id"), tags, options.pendingPolls ?? 1);
        return [200, { model_version: versionJson(s("name"), v, true) }];
      }
      case "GET /model-versions/get":
      case "POST /model-versions/set-tag": {
        const v = model(s("name"))?.versions.get(s("version"));
        if (!v) return err(404, "RESOURCE_DOES_NOT_EXIST", `Model Version (name=${s("name")}, version=${s("version")}) not found`);
        if (route === "POST /model-versions/set-tag") {
          v.tags.set(s("key"), s("value"));
          return [200, {}];
        }
        return [200, { model_version: versionJson(s("name"), v) }];
      }
      case "GET /registered-models/alias":
      case "POST /registered-models/alias":
      case "DELETE /registered-models/alias": {
        const m = model(s("name"));
        if (!m) return err(404, "RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${s("name")} not found`);
        if (method === "POST") {
          if (!m.versions.has(s("version"))) return err(404, "RESOURCE_DOES_NOT_EXIST", "no version");
          m.aliases.set(s("alias"), s("version"));
          return [200, {}];
        }
        if (method === "DELETE") {
          m.aliases.delete(s("alias"));
          return [200, {}];
        }
        const version = m.aliases.get(s("alias"));
        if (!version) return err(400, "INVALID_PARAMETER_VALUE", `Registered model alias ${s("alias")} not found.`);
        return [200, { model_version: versionJson(s("name"), m.versions.get(version)!, true) }];
      }
    }
    return [404, ""];
  }

  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const method = init.method ?? "GET";
    const path = url.pathname.replace(/^\/mlflow/, "");
    const raw = init.body instanceof Uint8Array ? init.body : typeof init.body === "string" && method === "PUT" ? new TextEncoder().encode(init.body) : undefined;
    const body = typeof init.body === "string" && method !== "PUT" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    requests.push({ method, path, body });
    const [status, res] = handle(method, path, url.searchParams, body, raw);
    return new Response(typeof res === "string" ? res : JSON.stringify(res), { status });
  };

  return {
    fetch: fetchImpl as typeof fetch,
    runs,
    artifacts,
    models,
    requests,
    seedVersion(name, init) {
      if (!models.has(name)) models.set(name, { versions: new Map(), aliases: new Map() });
      const run = createRun("99", "seeded", {});
      run.info.status = "FINISHED";
      const tags = { ...(init.h2oModelId ? { h2o_model_id: init.h2oModelId } : {}), ...init.tags };
      const v = addVersion(name, `${run.info.artifact_uri}/model`, run.info.run_id, tags, 0);
      for (const alias of init.aliases ?? []) models.get(name)!.aliases.set(alias, v.version);
      return { version: v.version, runId: run.info.run_id };
    },
  };
}

function kv(map: Map<string, string>) {
  return [...map].map(([key, value]) => ({ key, value }));
}

function err(status: number, code: string, message: string): [number, unknown] {
  return [status, { error_code: code, message }];
}
