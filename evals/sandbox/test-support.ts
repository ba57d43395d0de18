import { writeFileSync } from "node:fs";
import { SimulatedClock } from "../../core/index.js";
import { createRandom } from "./random.js";
import type { GitOpsReader, GitOpsValues } from "./gitops.js";
import { createSandbox, type Sandbox, type SandboxOptions, type SandboxUrls } from "./sandbox.js";
import { loadScenario } from "./scenario-files.js";
import type { Scenario } from "./scenario.js";

/** A GitOps repository held in a map, keyed by revision (tests only). */
export interface MemoryGitOps extends GitOpsReader {
  /** Records the values of the sandbox app at `revision` (null: the revision has no values file). */
  set(revision: string, values: GitOpsValues | null): void;
}

/** Creates an in-memory GitOps reader; the last revision set is HEAD; unknown revisions reject like an unresolvable git ref. */
export function memoryGitOps(): MemoryGitOps {
  const revisions = new Map<string, GitOpsValues | null>();
  let head: string | null = null;
  return {
    set(revision, values) {
      revisions.set(revision, values);
      head = revision;
    },
    async readValues(_app, _environment, revision) {
      const rev = revision === "HEAD" && head !== null ? head : revision;
      if (!revisions.has(rev)) throw new Error(`unknown revision ${revision}`);
      return revisions.get(rev) ?? null;
    },
  };
}

/** Values that serve `version`, optionally with a canary. */
export function values(model: string, version: string, canary?: { version: string; weight: number }): GitOpsValues {
  return { model: { name: model, version }, canary: canary ? { enabled: true, ...canary } : { enabled: false, version: null, weight: 0 } };
}

/** A sandbox listening on a free port, with its clock and GitOps map. */
export interface RunningSandbox {
  sandbox: Sandbox;
  clock: SimulatedClock;
  gitops: MemoryGitOps;
  url: string;
  urls: SandboxUrls;
  close(): Promise<void>;
  /** GET (or another method) against the listening sandbox, parsing JSON. */
  json<T = Record<string, any>>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
}

/** Starts a sandbox for a scenario (name or object) with a frozen clock at the scenario's start. */
export async function startSandbox(scenario: string | Scenario, extra: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const loaded = typeof scenario === "string" ? loadScenario(scenario) : scenario;
  const clock = new SimulatedClock({ start: new Date(loaded.start) });
  const gitops = memoryGitOps();
  gitops.set("rev-1", values(loaded.model, loaded.champion.version));
  const sandbox = createSandbox({ scenario: loaded, clock, gitops, initialRevision: "rev-1", ...extra });
  const listener = await sandbox.listen();
  return {
    sandbox,
    clock,
    gitops,
    url: listener.url,
    urls: sandbox.urls(listener.url),
    close: listener.close,
    async json(path, init) {
      const response = await fetch(`${listener.url}${path}`, init);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
  };
}

/** The dataset columns of the architecture's DVC layout. */
export const DATASET_COLUMNS = ["query_id", "query", "topic", "doc_id", "bm25", "semantic", "freshness", "clicks", "label", "source"];

/** Ranking rows: `queries` queries per topic with 30 candidate documents each, labels 0-3, at least one relevant. */
export function rankingRows(options: { topics: readonly string[]; queries: number; source: "base" | "augmented"; prefix: string }): string[][] {
  const random = createRandom(`${options.prefix}-${options.source}`);
  const rows: string[][] = [];
  for (const topic of options.topics) {
    for (let q = 0; q < options.queries; q++) {
      const queryId = `${options.prefix}-${topic}-${q}`;
      const labels = Array.from({ length: 30 }, (): number => {
        const u = random.next();
        return u < 0.05 ? 3 : u < 0.15 ? 2 : u < 0.35 ? 1 : 0;
      });
      if (!labels.some((l) => l > 0)) labels[0] = 2;
      labels.forEach((label, d) => {
        const bm25 = (label * 2 + random.next() * 4).toFixed(3);
        const semantic = (0.2 * label + random.next() * 0.4).toFixed(3);
        rows.push([queryId, `best ${topic}, query ${q}`, topic, `doc-${queryId}-${d}`, bm25, semantic, random.next().toFixed(3), String(Math.floor(random.next() * 50)), String(label), options.source]);
      });
    }
  }
  return rows;
}

/** Writes rows as CSV with the dataset header, quoting fields that need it. */
export function writeCsv(path: string, rows: readonly string[][]): void {
  const quote = (field: string) => (/[",\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
  writeFileSync(path, [DATASET_COLUMNS, ...rows].map((row) => row.map(quote).join(",")).join("\n") + "\n");
}

/** POSTs an Argo CD sync (or rollback) and polls the app like `argocd app wait` until it is done and settled. */
export async function argoOperation(s: RunningSandbox, action: "sync" | "rollback", body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const app = s.sandbox.scenario.app;
  const started = await s.json(`/argocd/api/v1/applications/${app}/${action}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (started.status !== 200) throw new Error(`${action} answered ${started.status}: ${JSON.stringify(started.body)}`);
  for (let i = 0; i < 20; i++) {
    const { body: a } = await s.json(`/argocd/api/v1/applications/${app}`, { headers });
    const state = a.status.operationState;
    const finished = !a.operation && state?.finishedAt && a.status.reconciledAt >= state.finishedAt;
    if (finished && !(state.phase === "Succeeded" && a.status.health.status === "Progressing")) return a;
  }
  throw new Error(`${action} did not settle after 20 polls`);
}

/** Registers `h2oModelId` as a new version of the scenario's model and returns its number. */
export async function registerVersion(s: RunningSandbox, h2oModelId: string): Promise<string> {
  const { body } = await s.json("/mlflow/api/2.0/mlflow/model-versions/create", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: s.sandbox.scenario.model, source: `mlflow-artifacts:/1/${h2oModelId}/artifacts/model`, tags: [{ key: "h2o_model_id", value: h2oModelId }] }),
  });
  return body.model_version.version;
}

/** POSTs a form to the sandbox's H2O API. */
export function h2oForm(s: RunningSandbox, path: string, form: Record<string, string>) {
  return s.json(`/h2o/3/${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
}

/** Imports and parses a CSV into a frame, polling the parse job; returns the frame key. */
export async function importCsv(s: RunningSandbox, path: string, destination: string): Promise<string> {
  const imported = await s.json(`/h2o/3/ImportFiles?${new URLSearchParams({ path })}`);
  const setup = await h2oForm(s, "ParseSetup", { source_frames: JSON.stringify(imported.body.destination_frames) });
  const parse = await h2oForm(s, "Parse", {
    source_frames: JSON.stringify(imported.body.destination_frames),
    destination_frame: destination,
    column_names: JSON.stringify(setup.body.column_names),
    column_types: JSON.stringify(setup.body.column_types),
    check_header: "1",
  });
  await pollJob(s, parse.body.job.key.name);
  return destination;
}

/** Polls an H2O job until it leaves RUNNING; returns the last job. */
export async function pollJob(s: RunningSandbox, key: string) {
  for (let i = 0; i < 10; i++) {
    const { body } = await s.json(`/h2o/3/Jobs/${encodeURIComponent(key)}`);
    const job = body.jobs[0];
    if (job.status !== "RUNNING") return job;
  }
  throw new Error(`job ${key} still running`);
}

/** Trains a GBM on a frame and polls it to the end; returns the final job. */
export async function trainModel(s: RunningSandbox, frame: string, modelId: string, ntrees = 100, maxDepth = 6) {
  const built = await h2oForm(s, "ModelBuilders/gbm", { training_frame: frame, response_column: "label", model_id: modelId, ntrees: String(ntrees), max_depth: String(maxDepth), ignored_columns: '["query_id","query","doc_id","source"]' });
  if (built.status !== 200) throw new Error(`build answered ${built.status}: ${JSON.stringify(built.body)}`);
  return pollJob(s, built.body.job.key.name);
}
