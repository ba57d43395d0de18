import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { argoFaultBody } from "./argocd/api.js";
import { faultMiddleware, type FaultOptions, type FaultSystem } from "./faults.js";
import { h2oFaultBody } from "./h2o/api.js";
import { mlflowErrorBody } from "./mlflow/api.js";
import { prometheusFaultBody } from "./prometheus/api.js";
import { EXPOSITION_CONTENT_TYPE } from "./prometheus/exposition.js";

/** The parts the sandbox's HTTP surface is made of. */
export interface SandboxRoutes {
  prometheus: Hono;
  mlflow: Hono;
  h2o: Hono;
  argocd: Hono;
  control: Hono;
  /** The raw metrics now, in the exposition format. */
  metrics: () => string;
  faults: Omit<FaultOptions, "errorBody">;
}

/** A listening sandbox. */
export interface SandboxListener {
  /** Base URL, e.g. http://127.0.0.1:43127. */
  url: string;
  close(): Promise<void>;
}

const ERROR_BODIES: Record<FaultSystem, FaultOptions["errorBody"]> = {
  prometheus: (message) => prometheusFaultBody(message),
  mlflow: (message) => mlflowErrorBody(message),
  h2o: (message, path, now) => h2oFaultBody(message, path.replace(/^\/h2o/, ""), now),
  argocd: (message) => argoFaultBody(message),
};

// Prometheus' ready check (what answers while it starts or stops) marks its 503 (API contracts 1.2).
const DOWN_HEADERS: Partial<Record<FaultSystem, Record<string, string>>> = {
  prometheus: { "X-Prometheus-Stopping": "false" },
};

/** One Hono app serving every system under its path prefix, each behind its scenario faults. */
export function createSandboxApp(routes: SandboxRoutes): Hono {
  const app = new Hono();
  for (const system of ["prometheus", "mlflow", "h2o", "argocd"] as const) {
    app.use(`/${system}/*`, faultMiddleware(system, { ...routes.faults, errorBody: ERROR_BODIES[system], downHeaders: DOWN_HEADERS[system] }));
    app.route(`/${system}`, routes[system]);
  }
  app.route("/control", routes.control);
  app.get("/metrics", () => new Response(routes.metrics(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } }));
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no sandbox route ${c.req.method} ${new URL(c.req.url).pathname}`, details: {} } }, 404));
  return app;
}

/** Serves a fetch handler on a local port (0 picks a free one). */
export function listenOn(fetchHandler: (request: Request) => Promise<Response>, port: number, host: string): Promise<SandboxListener> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetchHandler, port, hostname: host }, (info) => {
      const hostPart = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${hostPart}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    }) as Server;
    server.once("error", reject);
  });
}
