import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono, type Context } from "hono";

/** A record the fake keeps: a dataset, an example, a project (experiment) or a run. */
type Doc = Record<string, unknown> & { id: string };

/** A running fake LangSmith. */
export interface FakeLangSmith {
  url: string;
  datasets: Map<string, Doc>;
  examples: Map<string, Doc>;
  projects: Map<string, Doc>;
  runs: Map<string, Doc>;
  feedback: Doc[];
  /** Requests the fake does not know, as "METHOD path": a test expects none. */
  unhandled: string[];
  close(): Promise<void>;
}

const TENANT = "00000000-0000-4000-8000-000000000001";

/**
 * A local LangSmith for tests, enough for the SDK's `evaluate`: datasets, examples (the multipart
 * upload and update), projects (experiments), run ingestion (batch, create, patch) and feedback,
 * each as the SDK's client calls it. What it does not know it answers 404 and lists.
 */
export async function startFakeLangSmith(): Promise<FakeLangSmith> {
  const datasets = new Map<string, Doc>();
  const examples = new Map<string, Doc>();
  const projects = new Map<string, Doc>();
  const runs = new Map<string, Doc>();
  const feedback: Doc[] = [];
  const unhandled: string[] = [];
  const now = () => new Date().toISOString();
  const page = (c: Context, list: Doc[]) => {
    const offset = Number(c.req.query("offset") ?? 0);
    return c.json(list.slice(offset, offset + Number(c.req.query("limit") ?? 100)));
  };
  const mergeRun = (run: Doc) => runs.set(run.id, { ...(runs.get(run.id) ?? {}), ...run });
  const withCount = (d: Doc) => ({ ...d, example_count: [...examples.values()].filter((e) => e.dataset_id === d.id).length });
  // The multipart examples body: `<id>` (the example's fields), `<id>.inputs`, `<id>.outputs`.
  const readExamples = async (c: Context, datasetId: string) => {
    const form = await c.req.formData();
    const parts: Array<[string, Blob]> = [];
    form.forEach((value, key) => parts.push([key, value as Blob]));
    const ids: string[] = [];
    for (const [key, value] of parts) {
      const [id, part] = key.split(".") as [string, string | undefined];
      const data = JSON.parse(await value.text()) as Record<string, unknown>;
      const example = examples.get(id) ?? { id, dataset_id: datasetId, created_at: now(), inputs: {}, outputs: {} };
      examples.set(id, part ? { ...example, [part]: data, modified_at: now() } : { ...example, ...data, id, dataset_id: datasetId });
      if (!ids.includes(id)) ids.push(id);
    }
    return c.json({ example_ids: ids, count: ids.length });
  };

  const app = new Hono()
    .get("/info", (c) => c.json({ version: "fake", batch_ingest_config: { use_multipart_endpoint: false }, instance_flags: { dataset_examples_multipart_enabled: true } }))
    .get("/datasets", (c) => page(c, [...datasets.values()].filter((d) => !c.req.query("name") || d.name === c.req.query("name")).map(withCount)))
    .get("/datasets/:id", (c) => (datasets.has(c.req.param("id")) ? c.json(withCount(datasets.get(c.req.param("id"))!)) : c.json({ detail: "Dataset not found" }, 404)))
    .post("/datasets", async (c) => {
      const body = (await c.req.json()) as Record<string, unknown>;
      const dataset = { ...body, id: randomUUID(), tenant_id: TENANT, created_at: now() };
      datasets.set(dataset.id, dataset);
      return c.json(dataset);
    })
    .post("/v1/platform/datasets/:id/examples", (c) => readExamples(c, c.req.param("id")))
    .patch("/v1/platform/datasets/:id/examples", (c) => readExamples(c, c.req.param("id")))
    .get("/examples/:id", (c) => (examples.has(c.req.param("id")) ? c.json(examples.get(c.req.param("id"))!) : c.json({ detail: "Example not found" }, 404)))
    .get("/examples", (c) => page(c, [...examples.values()].filter((e) => e.dataset_id === c.req.query("dataset"))))
    .get("/sessions", (c) => page(c, [...projects.values()].filter((p) => !c.req.query("name") || p.name === c.req.query("name"))))
    .get("/sessions/:id", (c) => (projects.has(c.req.param("id")) ? c.json(projects.get(c.req.param("id"))!) : c.json({ detail: "Project not found" }, 404)))
    .post("/sessions", async (c) => {
      const body = (await c.req.json()) as Record<string, unknown>;
      if ([...projects.values()].some((p) => p.name === body.name)) return c.json({ detail: "Project already exists" }, 409);
      const project = { ...body, id: randomUUID(), tenant_id: TENANT, start_time: now() };
      projects.set(project.id, project);
      return c.json(project);
    })
    .patch("/sessions/:id", async (c) => {
      // Like the real API, a field sent as null is left as it was.
      const changes = Object.entries((await c.req.json()) as object).filter(([, v]) => v !== null);
      const project = { ...(projects.get(c.req.param("id")) ?? { id: c.req.param("id") }), ...Object.fromEntries(changes) };
      projects.set(project.id, project);
      return c.json(project);
    })
    .post("/runs/batch", async (c) => {
      const body = (await c.req.json()) as { post?: Doc[]; patch?: Doc[] };
      for (const run of [...(body.post ?? []), ...(body.patch ?? [])]) mergeRun(run);
      return c.json({});
    })
    .post("/runs", async (c) => {
      mergeRun((await c.req.json()) as Doc);
      return c.json({});
    })
    .patch("/runs/:id", async (c) => {
      mergeRun({ ...((await c.req.json()) as object), id: c.req.param("id") });
      return c.json({});
    })
    .post("/feedback", async (c) => {
      const body = (await c.req.json()) as Doc;
      feedback.push({ ...body, id: body.id ?? randomUUID() });
      return c.json(body);
    });
  app.notFound((c) => {
    unhandled.push(`${c.req.method} ${c.req.path}`);
    return c.json({ detail: "not found" }, 404);
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    datasets,
    examples,
    projects,
    runs,
    feedback,
    unhandled,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
