import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../../tools/testing/read-body.js";

/** A run as the sink stores it: the last create merged with its updates. */
export interface SinkRun {
  id: string;
  trace_id?: string;
  parent_run_id?: string;
  name?: string;
  run_type?: string;
  extra?: { metadata?: Record<string, unknown> };
  inputs?: unknown;
  outputs?: unknown;
  error?: string;
  end_time?: unknown;
  tags?: string[];
}

/** The tenant and the project id the sink reports for any project name. */
export const SINK_TENANT_ID = "00000000-0000-4000-8000-0000000000aa";
export const SINK_PROJECT_ID = "00000000-0000-4000-8000-0000000000bb";

/** A running sink. */
export interface LangSmithSink {
  url: string;
  runs: Map<string, SinkRun>;
  /** Values of the x-api-key header received. */
  apiKeys: Set<string>;
  close(): Promise<void>;
}

/**
 * A local LangSmith ingestion endpoint for tests, following the documented contract: `GET /info`
 * turns multipart off, then `POST /runs/batch`, `POST /runs` and `PATCH /runs/:id` are recorded.
 */
export async function startLangSmithSink(): Promise<LangSmithSink> {
  const runs = new Map<string, SinkRun>();
  const apiKeys = new Set<string>();
  const merge = (run: SinkRun) => runs.set(run.id, { ...(runs.get(run.id) ?? {}), ...run });
  const server: Server = createServer(async (req, res) => {
    const key = req.headers["x-api-key"];
    if (typeof key === "string") apiKeys.add(key);
    const url = req.url ?? "/";
    const ok = (body: unknown = {}) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "GET" && url.startsWith("/info")) return ok({ version: "sink", batch_ingest_config: { use_multipart_endpoint: false } });
    // Projects (sessions), as the SDK reads them to build a run's URL: one project, of one tenant.
    if (req.method === "GET" && url.startsWith("/sessions")) {
      const name = new URL(url, "http://sink").searchParams.get("name") ?? "default";
      return ok([{ id: SINK_PROJECT_ID, name, tenant_id: SINK_TENANT_ID }]);
    }
    const text = await readBody(req);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (req.method === "POST" && url.startsWith("/runs/batch")) {
      for (const run of (body.post as SinkRun[] | undefined) ?? []) merge(run);
      for (const run of (body.patch as SinkRun[] | undefined) ?? []) merge(run);
      return ok();
    }
    if (req.method === "POST" && url === "/runs") {
      merge(body as unknown as SinkRun);
      return ok();
    }
    const patch = /^\/runs\/([^/?]+)/.exec(url);
    if (req.method === "PATCH" && patch) {
      merge({ ...(body as object), id: patch[1]! } as SinkRun);
      return ok();
    }
    if (req.method === "POST" && url.startsWith("/runs/multipart")) return res.writeHead(404).end();
    ok();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runs,
    apiKeys,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

