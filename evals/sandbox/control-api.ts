import { Hono } from "hono";
import type { SandboxState } from "./state.js";

/** What the control API can do to the sandbox. */
export interface ControlDeps {
  state: () => SandboxState;
  advance: (ms: number) => void;
}

/**
 * The sandbox's own API for tests and the demo, mounted under `/control`: `GET /state` and
 * `POST /advance { minutes }`, which moves simulated time forward and returns the new state.
 */
export function createControlApi(deps: ControlDeps): Hono {
  const app = new Hono();
  app.get("/state", (c) => c.json(deps.state()));
  app.post("/advance", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { minutes?: unknown } | null;
    const minutes = Number(body?.minutes);
    if (!Number.isFinite(minutes) || minutes < 0) return c.json({ error: { code: "bad_request", message: "minutes must be a number >= 0", details: {} } }, 400);
    deps.advance(minutes * 60_000);
    return c.json(deps.state());
  });
  return app;
}
