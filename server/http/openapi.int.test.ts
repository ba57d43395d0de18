import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../testing/harness.js";

type Operation = { "x-required-role"?: "viewer" | "operator" | "admin"; security?: unknown[]; parameters?: Array<{ name: string; in: string; example?: unknown; schema?: { example?: unknown } }>; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
type Document = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

const METHODS = ["get", "post", "put", "patch", "delete"];
/** The routes that need no API principal: health checks, the sign-in (the token is its body), the webhook (its own token). */
const PUBLIC = ["GET /healthz", "GET /readyz", "POST /api/v1/session", "POST /api/v1/alerts/alertmanager"];

let h: Harness;
let doc: Document;
beforeAll(async () => {
  h = await startHarness({ scenario: "ndcg-drop", env: { ALERTMANAGER_WEBHOOK_TOKEN: "whk-0123456789", RATE_LIMIT_WRITES_PER_MINUTE: "10000" } });
  const res = await h.api("GET", "/api/v1/openapi.json", h.tokens.viewer);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(async () => h?.close());

/** Every operation of the document, with a concrete path (each {param} filled with its example). */
function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => {
      const op = item[m]!;
      const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const p = op.parameters?.find((x) => x.in === "path" && x.name === name);
        return encodeURIComponent(String(p?.example ?? p?.schema?.example ?? "x1"));
      });
      return { method: m.toUpperCase(), path, concrete, op, key: `${m.toUpperCase()} ${path}` };
    }),
  );
}

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${h.url}${path}`, { method, headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3 document with a path for every route and the shared components", () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(doc.info).toMatchObject({ title: "mlops-autopilot API", version: "v1" });
    const keys = operations().map((o) => o.key);
    for (const route of [
      "GET /healthz",
      "GET /readyz",
      "GET /metrics",
      "GET /api/v1/openapi.json",
      "POST /api/v1/alerts/alertmanager",
      "POST /api/v1/session",
      "GET /api/v1/session",
      "DELETE /api/v1/session",
      "GET /api/v1/cycles",
      "GET /api/v1/cycles/{id}",
      "GET /api/v1/cycles/{id}/audit",
      "GET /api/v1/cycles/{id}/artifacts",
      "GET /api/v1/cycles/{id}/timeline",
      "GET /api/v1/cycles/{id}/chart",
      "GET /api/v1/cycles/{id}/events",
      "GET /api/v1/events",
      "POST /api/v1/chat",
      "GET /api/v1/report/health",
      "GET /api/v1/report/weekly",
      "GET /api/v1/artifacts/{id}",
      "GET /api/v1/approvals",
      "GET /api/v1/approvals/{id}",
      "POST /api/v1/approvals/{id}/approve",
      "POST /api/v1/approvals/{id}/reject",
      "POST /api/v1/optimizer/stop",
      "POST /api/v1/optimizer/resume",
      "POST /api/v1/optimizer/rollback",
      "GET /api/v1/flags",
      "PUT /api/v1/flags/{environment}/{name}",
      "GET /api/v1/gates/{environment}",
      "PUT /api/v1/gates/{environment}/{signal}",
      "DELETE /api/v1/gates/{environment}/{signal}",
      "GET /api/v1/policies",
      "POST /api/v1/policies/reload",
      "GET /api/v1/audit/head",
      "GET /api/v1/audit/verify",
      "GET /api/v1/tokens",
      "POST /api/v1/tokens",
      "DELETE /api/v1/tokens/{id}",
    ]) {
      expect(keys, route).toContain(route);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Error", "Cycle", "CycleReport", "Approval", "AuditEntry", "Flag", "Token", "Session", "AlertmanagerWebhook"]));
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerToken", "sessionCookie", "webhookToken"]);
  });

  it("lists each route's request and response schemas, and the error shape for its errors", () => {
    const op = (key: string) => operations().find((o) => o.key === key)!.op;
    const body = (key: string) => op(key).requestBody!.content["application/json"]!.schema;
    expect(body("POST /api/v1/approvals/{id}/reject")).toEqual({ $ref: "#/components/schemas/RejectRequest" });
    expect(doc.components.schemas.RejectRequest).toMatchObject({ type: "object", required: ["reason"], properties: { reason: { type: "string", minLength: 1, maxLength: 2000 } } });
    expect(doc.components.schemas.FlagRequest).toMatchObject({ required: expect.arrayContaining(["enabled", "reason"]), properties: { enabled: { type: "boolean" } } });
    expect(op("GET /api/v1/cycles").parameters!.map((p) => `${p.in}:${p.name}`).sort()).toEqual(["query:before", "query:limit", "query:status"]);
    expect(op("PUT /api/v1/flags/{environment}/{name}").parameters!.find((p) => p.name === "environment")).toMatchObject({ in: "path", required: true, schema: { enum: ["dev", "staging", "production"] } });
    expect(op("GET /api/v1/cycles/{id}").responses["200"]!.content!["application/json"]!.schema).toMatchObject({ properties: { cycle: { $ref: "#/components/schemas/Cycle" } } });
    const errorRef = { $ref: "#/components/schemas/Error" };
    const stop = op("POST /api/v1/optimizer/stop");
    for (const status of ["400", "401", "403", "413", "415", "429"]) expect(stop.responses[status]?.content?.["application/json"]?.schema, status).toEqual(errorRef);
    expect(op("GET /api/v1/cycles").responses["401"]!.content!["application/json"]!.schema).toEqual(errorRef);
    expect(op("GET /healthz").security).toEqual([]);
    expect(op("POST /api/v1/alerts/alertmanager").security).toEqual([{ webhookToken: [] }, { bearerToken: [] }]);
    expect(op("GET /api/v1/cycles").security).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
  });

  it("states the role of every route but the public ones, as the guards enforce it", () => {
    const roles = Object.fromEntries(operations().map((o) => [o.key, o.op["x-required-role"] ?? "none"]));
    expect(Object.entries(roles).filter(([, r]) => r === "none").map(([k]) => k).sort()).toEqual([...PUBLIC].sort());
    expect(roles).toMatchObject({
      "GET /metrics": "viewer",
      "GET /api/v1/cycles": "viewer",
      "POST /api/v1/approvals/{id}/approve": "operator",
      "POST /api/v1/chat": "operator",
      "GET /api/v1/events": "viewer",
      "POST /api/v1/optimizer/stop": "admin",
      "GET /api/v1/flags": "viewer",
      "GET /api/v1/audit/verify": "admin",
      "POST /api/v1/tokens": "admin",
      "DELETE /api/v1/session": "viewer",
    });
  });
});

describe("every route of the document", () => {
  it("answers 401 in the error shape without a principal and with a wrong token", async () => {
    const checked: string[] = [];
    for (const { method, concrete, key } of operations()) {
      if (key === "GET /healthz" || key === "GET /readyz") continue;
      // The sign-in's credential is its body: without one it is a 400 naming `token`.
      const body = key === "POST /api/v1/session" ? {} : undefined;
      const wrongBody = key === "POST /api/v1/session" ? { token: "apt_not-a-real-token" } : undefined;
      const none = await call(method, concrete, {}, body);
      if (key === "POST /api/v1/session") expect(none.status, key).toBe(400);
      else {
        expect(none.status, `${key} without a principal`).toBe(401);
        expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
      }
      await none.body?.cancel().catch(() => undefined);
      const wrong = await call(method, concrete, key === "POST /api/v1/session" ? {} : { authorization: "Bearer apt_not-a-real-token" }, wrongBody);
      expect(wrong.status, `${key} with a wrong token`).toBe(401);
      const error = (await wrong.json()) as { error: { code: string; details: { request_id: string } } };
      expect(error.error.code).toBe("unauthenticated");
      expect(error.error.details.request_id).toBe(wrong.headers.get("x-request-id"));
      checked.push(key);
    }
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });

  it("answers 403 to every role lower than the route's", async () => {
    const lower = { viewer: [], operator: ["viewer"], admin: ["viewer", "operator"] } as const;
    let refused = 0;
    for (const { method, concrete, key, op } of operations()) {
      const role = op["x-required-role"];
      if (!role) continue;
      for (const who of lower[role]) {
        const res = await call(method, concrete, { authorization: `Bearer ${h.tokens[who]}` });
        expect(res.status, `${key} as ${who}`).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
        refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(20);
  });

  it("keeps a webhook open to the shared token and to an operator's API token, not to a viewer's", async () => {
    const sandbox = h.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    const payload = sandbox.alertPayload(0);
    expect((await h.webhook(payload, { authorization: "Bearer whk-0123456789" })).status).toBe(202);
    expect((await h.webhook(payload, { authorization: `Bearer ${h.tokens.operator}` })).status).toBe(202);
    expect((await h.webhook(payload, { authorization: `Bearer ${h.tokens.viewer}` })).status).toBe(403);
  });
});
