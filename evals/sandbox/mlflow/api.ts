import { Hono, type Context } from "hono";
import { MlflowError } from "./errors.js";
import type { RegistryStore } from "./registry-store.js";
import type { TrackingStore } from "./tracking-store.js";

/** The MLflow server's stores. */
export interface MlflowDeps {
  tracking: TrackingStore;
  registry: RegistryStore;
  /** When set, API and artifact requests need `Authorization: Bearer <token>` (as behind an auth proxy, or MLflow's auth app). */
  token?: string;
}

const API = "/api/2.0/mlflow";
const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

/**
 * The MLflow REST API 2.0 subset the tools call (tracking, registry, aliases, artifacts proxy),
 * mounted under `/mlflow`. GET takes query parameters, everything else a JSON body; errors are
 * `{ error_code, message }`; unknown routes are a bare 404 like MLflow's.
 */
export function createMlflowApi(deps: MlflowDeps): Hono {
  const { tracking, registry } = deps;
  const app = new Hono();

  app.get("/health", (c) => c.text("OK"));
  app.get("/version", (c) => c.text("2.22.0"));
  app.use("/api/*", async (c, next) => {
    if (!deps.token || c.req.header("authorization") === `Bearer ${deps.token}`) return next();
    throw new MlflowError("UNAUTHENTICATED", "You are not authenticated. Please provide valid credentials.");
  });

  app.post(`${API}/experiments/create`, async (c) => {
    const body = await json(c);
    return c.json({ experiment_id: tracking.createExperiment(body.name, body.artifact_location, body.tags) });
  });
  app.get(`${API}/experiments/get-by-name`, (c) => c.json({ experiment: tracking.getExperimentByName(c.req.query("experiment_name")) }));
  app.get(`${API}/experiments/get`, (c) => c.json({ experiment: tracking.getExperiment(c.req.query("experiment_id")) }));
  const searchExperiments = async (c: Context) => c.json(tracking.searchExperiments(await searchParams(c)));
  app.get(`${API}/experiments/search`, searchExperiments);
  app.post(`${API}/experiments/search`, searchExperiments);

  app.post(`${API}/runs/create`, async (c) => c.json({ run: tracking.createRun(await json(c)) }));
  app.post(`${API}/runs/update`, async (c) => c.json({ run_info: tracking.updateRun(await json(c)) }));
  app.get(`${API}/runs/get`, (c) => c.json({ run: tracking.getRun(c.req.query("run_id") ?? c.req.query("run_uuid")) }));
  app.post(`${API}/runs/log-batch`, async (c) => {
    const body = await json(c);
    tracking.logBatch(body.run_id, body.metrics ?? [], body.params ?? [], body.tags ?? []);
    return c.json({});
  });
  app.post(`${API}/runs/log-metric`, async (c) => {
    const { run_id, run_uuid, key, value, timestamp, step } = await json(c);
    tracking.logBatch(run_id ?? run_uuid, [{ key, value, timestamp, step }]);
    return c.json({});
  });
  app.post(`${API}/runs/log-parameter`, async (c) => {
    const { run_id, run_uuid, key, value } = await json(c);
    tracking.logBatch(run_id ?? run_uuid, [], [{ key, value }]);
    return c.json({});
  });
  app.post(`${API}/runs/set-tag`, async (c) => {
    const { run_id, run_uuid, key, value } = await json(c);
    tracking.logBatch(run_id ?? run_uuid, [], [], [{ key, value }]);
    return c.json({});
  });
  app.post(`${API}/runs/search`, async (c) => {
    const body = await json(c);
    return c.json(tracking.searchRuns({ ...(await searchParams(c, body)), experiment_ids: body.experiment_ids }));
  });
  app.get(`${API}/artifacts/list`, (c) => c.json(tracking.listRunArtifacts(c.req.query("run_id") ?? c.req.query("run_uuid"), c.req.query("path") ?? "")));

  app.post(`${API}/registered-models/create`, async (c) => c.json({ registered_model: registry.createModel(await json(c)) }));
  app.get(`${API}/registered-models/get`, (c) => c.json({ registered_model: registry.getModel(c.req.query("name")) }));
  const searchModels = async (c: Context) => c.json(registry.searchModels(await searchParams(c)));
  app.get(`${API}/registered-models/search`, searchModels);
  app.post(`${API}/registered-models/search`, searchModels);
  app.post(`${API}/registered-models/alias`, async (c) => {
    registry.setAlias(await json(c));
    return c.json({});
  });
  app.delete(`${API}/registered-models/alias`, async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? await json(c) : {};
    registry.deleteAlias(body.name ?? c.req.query("name"), body.alias ?? c.req.query("alias"));
    return c.json({});
  });
  app.get(`${API}/registered-models/alias`, (c) => c.json({ model_version: registry.getByAlias(c.req.query("name"), c.req.query("alias")) }));

  app.post(`${API}/model-versions/create`, async (c) => c.json({ model_version: registry.createVersion(await json(c)) }));
  app.get(`${API}/model-versions/get`, (c) => c.json({ model_version: registry.getVersion(c.req.query("name"), c.req.query("version")) }));
  const searchVersions = async (c: Context) => c.json(registry.searchVersions(await searchParams(c)));
  app.get(`${API}/model-versions/search`, searchVersions);
  app.post(`${API}/model-versions/search`, searchVersions);
  app.patch(`${API}/model-versions/update`, async (c) => c.json({ model_version: registry.updateVersion(await json(c)) }));
  app.post(`${API}/model-versions/set-tag`, async (c) => {
    registry.setVersionTag(await json(c));
    return c.json({});
  });

  app.get(ARTIFACTS, (c) => c.json({ files: tracking.listArtifactDir(c.req.query("path") ?? "") }));
  app.put(`${ARTIFACTS}/*`, async (c) => {
    tracking.artifacts.set(artifactPath(c), new Uint8Array(await c.req.arrayBuffer()));
    return c.json({});
  });
  app.get(`${ARTIFACTS}/*`, (c) => {
    const path = artifactPath(c);
    const bytes = tracking.artifacts.get(path);
    if (!bytes) {
      const listing = tracking.listArtifactDir(path);
      if (listing.length) return c.json({ files: listing });
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `File ${path} does not exist`);
    }
    const name = path.split("/").pop() ?? "artifact";
    return new Response(bytes, { headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${name}"` } });
  });
  app.delete(`${ARTIFACTS}/*`, (c) => {
    tracking.artifacts.delete(artifactPath(c));
    return c.json({});
  });

  // Registered last: Hono ignores a mounted app's notFound, so unknown paths end here.
  app.all("*", () => new Response(null, { status: 404 }));
  app.onError((error, c) => {
    if (error instanceof MlflowError) return c.json(error.toJSON(), error.status as 400);
    return c.json({ error_code: "INTERNAL_ERROR", message: error.message }, 500);
  });
  return app;
}

/** The body MLflow sends with a 500. */
export function mlflowErrorBody(message: string): { error_code: string; message: string } {
  return { error_code: "INTERNAL_ERROR", message };
}

async function json(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new MlflowError("BAD_REQUEST", "Malformed request: the body must be a JSON object");
}

// Search endpoints take their parameters from the query string (GET) or the JSON body (POST).
async function searchParams(c: Context, body?: Record<string, unknown>) {
  const source = body ?? (c.req.method === "GET" ? undefined : await json(c));
  const pick = (key: string): unknown => (source ? source[key] : key === "order_by" ? c.req.queries(key) : c.req.query(key));
  const max = pick("max_results");
  const orderBy = pick("order_by");
  return {
    filter: typeof pick("filter") === "string" ? (pick("filter") as string) : undefined,
    max_results: max === undefined ? undefined : Number(max),
    page_token: typeof pick("page_token") === "string" ? (pick("page_token") as string) : undefined,
    order_by: Array.isArray(orderBy) ? orderBy.map(String) : typeof orderBy === "string" ? [orderBy] : [],
  };
}

function artifactPath(c: Context): string {
  const pathname = new URL(c.req.url).pathname;
  const at = pathname.indexOf(`${ARTIFACTS}/`);
  return pathname
    .slice(at + ARTIFACTS.length + 1)
    .split("/")
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment))
    .join("/");
}
