import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { createHttpClient, isUpstreamError, UpstreamError } from "./http.js";

let server: Server;
let base = "";
const hits: Record<string, number> = {};
const seenHeaders: Record<string, string | undefined> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits[path] = (hits[path] ?? 0) + 1;
    seenHeaders[path] = req.headers.authorization;
    if (path.startsWith("/ok")) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: 42 }));
    if (path.startsWith("/flaky")) {
      if (hits[path]! < 3) return res.writeHead(503).end("Service Unavailable");
      return res.writeHead(200).end(JSON.stringify({ value: 1 }));
    }
    if (path.startsWith("/bad")) return res.writeHead(400).end(JSON.stringify({ error_code: "INVALID_PARAMETER_VALUE", message: "nope" }));
    if (path.startsWith("/garbage")) return res.writeHead(200).end("<html>");
    if (path.startsWith("/shape")) return res.writeHead(200).end(JSON.stringify({ value: "x" }));
    if (path.startsWith("/slow")) return setTimeout(() => res.writeHead(200).end("{}"), 2_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const Value = z.object({ value: z.number() });
const client = (extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) =>
  createHttpClient({
    system: "mlflow",
    baseUrl: base,
    backoffMs: 1,
    headers: () => ({ authorization: "Bearer s3cr3t-token" }),
    errorMessage: (body) => {
      const b = body as { error_code?: string; message?: string } | undefined;
      return b?.error_code ? `${b.error_code}: ${b.message}` : undefined;
    },
    ...extra,
  });

describe("createHttpClient", () => {
  it("validates JSON answers and sends the configured headers", async () => {
    expect(await client().json({ method: "GET", path: "/ok" }, Value)).toEqual({ value: 42 });
    expect(seenHeaders["/ok"]).toBe("Bearer s3cr3t-token");
  });
  it("retries 5xx on idempotent requests until it succeeds", async () => {
    expect(await client().json({ method: "GET", path: "/flaky" }, Value)).toEqual({ value: 1 });
    expect(hits["/flaky"]).toBe(3);
  });
  it("does not retry 4xx and names the system, request and upstream message", async () => {
    const error = await client().json({ method: "GET", path: "/bad" }, Value).catch((e: unknown) => e);
    expect(isUpstreamError(error)).toBe(true);
    const e = error as UpstreamError;
    expect(e.status).toBe(400);
    expect(e.request).toBe("GET /bad");
    expect(e.message).toBe("mlflow: GET /bad answered 400: INVALID_PARAMETER_VALUE: nope");
    expect(hits["/bad"]).toBe(1);
    expect(e.message).not.toContain("s3cr3t");
  });
  it("does not retry a POST unless told so", async () => {
    await client().json({ method: "POST", path: "/flaky-post", json: {} }, Value).catch(() => undefined);
    expect(hits["/flaky-post"]).toBe(1);
  });
  it("reports non-JSON and wrongly shaped answers without retrying", async () => {
    await expect(client().json({ method: "GET", path: "/garbage" }, Value)).rejects.toThrow(/non-JSON/);
    await expect(client().json({ method: "GET", path: "/shape" }, Value)).rejects.toThrow(/unexpected shape \(value:/);
  });
  it("times out slow requests", async () => {
    const error = (await client({ retries: 0 })
      .json({ method: "GET", path: "/slow", timeoutMs: 100 }, Value)
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error.code).toBe("upstream_timeout");
    expect(error.retryable).toBe(true);
  });
  it("reports an unreachable system as retryable after its retries", async () => {
    const dead = createHttpClient({ system: "h2o", baseUrl: "http://127.0.0.1:1", retries: 1, backoffMs: 1 });
    const error = (await dead.text({ method: "GET", path: "/3/Cloud" }).catch((e: unknown) => e)) as UpstreamError;
    expect(error.code).toBe("upstream_unreachable");
    expect(error.message).toMatch(/^h2o: GET \/3\/Cloud failed/);
  });
  it("stops when the caller aborts", async () => {
    const error = (await client()
      .text({ method: "GET", path: "/slow", signal: AbortSignal.abort(new Error("cycle stopped")) })
      .catch((e: unknown) => e)) as UpstreamError;
    expect(error.code).toBe("aborted");
  });
});
