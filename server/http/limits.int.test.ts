import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startHarness, type Harness } from "../testing/harness.js";

type ErrorBody = { error: { code: string; message: string; details: { request_id: string; problems?: string[] } } };

/** A request on its own connection: the server may answer before reading the body, then closes that socket. */
function send(url: string, method: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("validation", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop" });
  });
  afterAll(async () => h?.close());

  it("refuses bad bodies, paths and queries with 400 naming every problem, in the error shape with the request id", async () => {
    const cases: Array<[string, string, string, unknown, string, string[]]> = [
      ["POST", "/api/v1/optimizer/stop", "admin", {}, "invalid_body", ["reason: "]],
      ["PUT", "/api/v1/flags/production/ab_testing", "admin", { enabled: "yes" }, "invalid_body", ["enabled: ", "reason: "]],
      ["PUT", "/api/v1/flags/prod/ab_testing", "admin", { enabled: true, reason: "typo" }, "invalid_path", ["environment: "]],
      ["PUT", "/api/v1/gates/production/ndcg_drop", "admin", { rules: [{ kind: "relative_gain", metric: "ndcg_at_10" }], reason: "x" }, "invalid_body", ["rules.0", "reason: say why"]],
      ["GET", "/api/v1/cycles?limit=0&status=done", "viewer", undefined, "invalid_query", ["status: ", "limit: "]],
      ["GET", "/api/v1/cycles/not-an-id", "viewer", undefined, "invalid_path", ["id: is not a cycle id"]],
      ["POST", "/api/v1/tokens", "admin", { name: "", role: "root" }, "invalid_body", ["name: ", "role: "]],
      ["POST", "/api/v1/approvals/apr_x/reject", "operator", {}, "invalid_body", ["reason: a rejection needs a reason"]],
    ];
    for (const [method, path, who, body, code, named] of cases) {
      const res = await h.api(method, path, h.tokens[who as "admin"], body);
      expect(res.status, `${method} ${path}`).toBe(400);
      const error = (await res.json()) as ErrorBody;
      expect(error.error.code, path).toBe(code);
      expect(error.error.details.problems).toHaveLength(named.length);
      for (const n of named) expect(error.error.details.problems!.some((p) => p.includes(n)), `${path} names ${n}`).toBe(true);
      expect(error.error.message).toBe(error.error.details.problems!.join("; "));
      expect(error.error.details.request_id).toBe(res.headers.get("x-request-id"));
    }
  });

  it("names a body that is not JSON (400) or not sent as JSON (415)", async () => {
    const broken = await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, "{reason:");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorBody).error).toMatchObject({ code: "invalid_json", message: "the body is not valid JSON" });
    const text = await fetch(`${h.url}/api/v1/optimizer/stop`, { method: "POST", headers: { authorization: `Bearer ${h.tokens.admin}`, "content-type": "text/plain" }, body: "reason=x" });
    expect(text.status).toBe(415);
    expect(((await text.json()) as ErrorBody).error.code).toBe("unsupported_media_type");
  });

  it("refuses a body over 64 KiB with 413 on every write route of the document, the webhook over 1 MiB", async () => {
    const doc = (await (await h.api("GET", "/api/v1/openapi.json", h.tokens.viewer)).json()) as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(doc.paths).flatMap(([path, item]) => ["post", "put", "patch", "delete"].filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "x1") })));
    expect(writes.length).toBeGreaterThanOrEqual(14);
    const over = JSON.stringify({ reason: "x".repeat(64 * 1024) });
    for (const { method, path } of writes) {
      const big = path === "/api/v1/alerts/alertmanager" ? JSON.stringify({ reason: "x".repeat(1024 * 1024) }) : over;
      const res = await send(`${h.url}${path}`, method, { authorization: `Bearer ${h.tokens.admin}` }, big);
      expect(res.status, `${method} ${path}`).toBe(413);
      expect((JSON.parse(res.body) as ErrorBody).error.code).toBe("payload_too_large");
    }
    // Under its own limit, the webhook reads a body larger than the others may send.
    const webhook = await send(`${h.url}/api/v1/alerts/alertmanager`, "POST", { authorization: `Bearer ${h.ap.alertmanagerToken}` }, over);
    expect(webhook.status).toBe(400);
    expect((JSON.parse(webhook.body) as ErrorBody).error.code).toBe("invalid_payload");
  });
});

describe("rate limits", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenario: "ndcg-drop", env: { RATE_LIMIT_WRITES_PER_MINUTE: "3", RATE_LIMIT_WEBHOOK_PER_MINUTE: "2" } });
  });
  afterAll(async () => h?.close());

  const expectLimited = async (res: Response) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers.get("retry-after")}`).toBe(true);
    const error = (await res.json()) as ErrorBody;
    expect(error.error.code).toBe("rate_limited");
    expect(error.error.details.request_id).toBe(res.headers.get("x-request-id"));
  };

  it("allow a principal its writes a minute, then answer 429 with Retry-After; other principals and reads go on", async () => {
    const approve = () => h.api("POST", "/api/v1/approvals/apr_unknown/approve", h.tokens.operator, {});
    for (let i = 0; i < 3; i++) {
      const res = await approve();
      expect(res.status).toBe(404);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      expect(res.headers.get("ratelimit-remaining")).toBe(String(2 - i));
    }
    await expectLimited(await approve());
    expect((await h.api("POST", "/api/v1/optimizer/stop", h.tokens.admin, {})).status).toBe(400);
    for (let i = 0; i < 5; i++) expect((await h.api("GET", "/api/v1/approvals", h.tokens.operator)).status).toBe(200);
  });

  it("count writes without a principal by address, and the webhook's deliveries on their own", async () => {
    for (let i = 0; i < 3; i++) expect((await h.api("POST", "/api/v1/session", undefined, { token: "apt_guess" })).status).toBe(401);
    await expectLimited(await h.api("POST", "/api/v1/session", undefined, { token: h.tokens.viewer }));
    for (let i = 0; i < 2; i++) expect((await h.webhook({ version: "4" })).status).toBe(400);
    await expectLimited(await h.webhook({ version: "4" }));
  });
});
