import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../../testing/read-body.js";

/** An annotation as Grafana stores it. */
export interface StoredAnnotation {
  id: number;
  dashboardUID?: string;
  panelId?: number;
  time: number;
  timeEnd: number;
  tags: string[];
  text: string;
}

/**
 * Grafana's annotations API as its HTTP API documentation describes it (Grafana cannot run on the
 * test machines): `POST /api/annotations` answers `{ message: "Annotation added", id }`, `GET
 * /api/annotations` lists them, `/api/health` answers the version, and a missing or wrong bearer
 * token gets 401 `{ message: "Unauthorized" }`, a body without text 400.
 */
export async function startGrafanaApi(options: { token: string }): Promise<{ url: string; annotations: StoredAnnotation[]; close(): Promise<void> }> {
  const annotations: StoredAnnotation[] = [];
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const url = new URL(req.url ?? "/", "http://grafana");
    if (url.pathname === "/api/health") return send(200, { database: "ok", version: "11.3.0", commit: "test" });
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(401, { message: "Unauthorized" });
    if (url.pathname === "/api/annotations" && req.method === "GET") return send(200, annotations);
    if (url.pathname === "/api/annotations" && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as Partial<StoredAnnotation>;
      if (!body.text) return send(400, { message: "Failed to save annotation: text is required" });
      const id = annotations.length + 1;
      annotations.push({ id, dashboardUID: body.dashboardUID, panelId: body.panelId, time: body.time ?? Date.now(), timeEnd: body.timeEnd ?? body.time ?? Date.now(), tags: body.tags ?? [], text: body.text });
      return send(200, { message: "Annotation added", id });
    }
    return send(404, { message: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    annotations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
