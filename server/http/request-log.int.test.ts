import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { SimulatedClock } from "../../core/index.js";
import { loadScenario } from "../../evals/sandbox/index.js";
import { createAutopilot, type Autopilot } from "../autopilot.js";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { openTestDatabase, type Database } from "../store/index.js";
import { createApp } from "./app.js";

let home: string;
let db: Database;
let ap: Autopilot;
let app: ReturnType<typeof createApp>;
let token: string;
const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "autopilot-log-"));
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const scenario = loadScenario("ndcg-drop");
  db = await openTestDatabase();
  ap = await createAutopilot(loadConfig({ AUTOPILOT_HOME: home, LOG_LEVEL: "silent" } as NodeJS.ProcessEnv), {
    scenario,
    db,
    clock: new SimulatedClock({ start: new Date(scenario.start) }),
    logger: createLogger({ level: "debug", destination }),
  });
  app = createApp(ap);
  token = (await ap.store.tokens.create({ name: "olivia", role: "operator", by: "test", now: new Date() })).token;
});
afterAll(async () => {
  await ap?.close();
  await db?.close();
  await rm(home, { recursive: true, force: true });
});

const requestLines = () => lines.filter((l) => l.msg === "request");

describe("request ids and request logs", () => {
  it("keep a sane incoming X-Request-Id, replace an insane one, and return it in the header and in errors", async () => {
    const kept = await app.request("/api/v1/cycles/si_2026_11_20_042", { headers: { authorization: `Bearer ${token}`, "x-request-id": "trace-abc_123=" } });
    expect(kept.status).toBe(404);
    expect(kept.headers.get("x-request-id")).toBe("trace-abc_123=");
    expect(((await kept.json()) as { error: { details: { request_id: string } } }).error.details.request_id).toBe("trace-abc_123=");
    for (const insane of ["has spaces in it", "x".repeat(129), "semi;colon"]) {
      const res = await app.request("/healthz", { headers: { "x-request-id": insane } });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = await app.request("/healthz");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("write one structured line per request: id, method, path, route pattern, status, ms and principal, never a token or cookie", async () => {
    lines.length = 0;
    raw.length = 0;
    await app.request("/api/v1/approvals/apr_0123/approve", { method: "POST", headers: { authorization: `Bearer ${token}`, "x-request-id": "req-1" } });
    const signIn = await app.request("/api/v1/session", { method: "POST", headers: { "content-type": "application/json", "x-request-id": "req-2" }, body: JSON.stringify({ token }) });
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    await app.request("/api/v1/cycles", { headers: { cookie, "x-request-id": "req-3" } });
    await app.request("/api/v1/cycles", { headers: { authorization: "Bearer apt_wrong", "x-request-id": "req-4" } });
    const byId = Object.fromEntries(requestLines().map((l) => [l.request_id, l]));
    expect(byId["req-1"]).toMatchObject({ level: 30, method: "POST", path: "/api/v1/approvals/apr_0123/approve", route: "/api/v1/approvals/:id/approve", status: 404, principal: "olivia" });
    expect(byId["req-1"]!.ms).toBeTypeOf("number");
    expect(byId["req-2"]).toMatchObject({ method: "POST", route: "/api/v1/session", status: 200, principal: "olivia" });
    expect(byId["req-3"]).toMatchObject({ method: "GET", route: "/api/v1/cycles", status: 200, principal: "olivia" });
    expect(byId["req-4"]).toMatchObject({ route: "/api/v1/cycles", status: 401 });
    expect(byId["req-4"]!.principal).toBeUndefined();
    const text = raw.join("\n");
    expect(text).not.toContain(token);
    expect(text).not.toContain(cookie.split("=")[1]!.slice(0, 20));
    expect(text).not.toContain("apt_wrong");
  });

  it("log the probes at debug while they answer well", async () => {
    lines.length = 0;
    await app.request("/healthz", { headers: { "x-request-id": "probe-1" } });
    expect(requestLines().find((l) => l.request_id === "probe-1")).toMatchObject({ level: 20, route: "/healthz", status: 200 });
  });
});
