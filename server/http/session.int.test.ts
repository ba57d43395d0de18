import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../testing/harness.js";
import { createApp } from "./app.js";

type Session = { principal: { name: string; role: string }; via: string; expires_at: string | null };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ scenario: "ndcg-drop" });
});
afterAll(async () => h?.close());

const signIn = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/api/v1/session`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ token }) });
/** `name=value` of the Set-Cookie header, as a browser would send it back. */
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0]!;
const withCookie = (cookie: string, method = "GET", path = "/api/v1/session", headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${h.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("console sessions", () => {
  it("sign in with a token: a signed, HttpOnly, SameSite=Strict cookie for the session's lifetime, Secure only over https", async () => {
    const started = Date.now();
    const res = await signIn(h.tokens.viewer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Session;
    expect(body).toMatchObject({ principal: { name: "victor", role: "viewer" }, via: "session" });
    const ttl = Date.parse(body.expires_at!) - started;
    expect(ttl).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3_600_000 + 1000);
    const attributes = res.headers.get("set-cookie")!.split(/;\s*/);
    expect(attributes[0]).toMatch(/^autopilot_session=aps_[\w-]{43}\.[\w%-]+/);
    expect(attributes).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Strict", expect.stringMatching(/^Max-Age=(4319\d|43200)$/), expect.stringMatching(/^Expires=/)]));
    expect(attributes).not.toContain("Secure");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const proxied = await signIn(h.tokens.viewer, { "x-forwarded-proto": "https" });
    expect(proxied.headers.get("set-cookie")!.split(/;\s*/)).toContain("Secure");
  });

  it("refuses a wrong token (401) and a sign-in posted by another site (403)", async () => {
    const wrong = await signIn("apt_not-a-token");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const forged = await signIn(h.tokens.admin, { origin: "https://evil.example" });
    expect(forged.status).toBe(403);
    expect(await codeOf(forged)).toBe("cross_origin");
  });

  it("is accepted by the role guards, on another replica too, and tells who is signed in", async () => {
    const cookie = cookieOf(await signIn(h.tokens.operator));
    expect((await (await withCookie(cookie)).json()) as Session).toMatchObject({ principal: { name: "olivia", role: "operator" }, via: "session" });
    expect((await withCookie(cookie, "GET", "/api/v1/cycles")).status).toBe(200);
    expect((await withCookie(cookie, "GET", "/api/v1/audit/verify")).status).toBe(403);
    // Another app on the same database (a second replica) reads the same session with the same key.
    const replica = createApp(h.ap);
    expect((await replica.request("/api/v1/session", { headers: { cookie } })).status).toBe(200);
    // A bearer token still works, and names itself as such.
    expect((await (await h.api("GET", "/api/v1/session", h.tokens.viewer)).json()) as Session).toMatchObject({ principal: { name: "victor" }, via: "token", expires_at: null });
  });

  it("lets a cookie write only from the console's own origin", async () => {
    const cookie = cookieOf(await signIn(h.tokens.operator));
    const approve = (headers: Record<string, string>) => withCookie(cookie, "POST", "/api/v1/approvals/apr_unknown/approve", headers, {});
    const foreign = await approve({ origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await codeOf(foreign)).toBe("cross_origin");
    expect((await approve({})).status).toBe(403);
    expect((await approve({ origin: "null" })).status).toBe(403);
    // From its own page: past the guard, to the approval it names (none).
    expect((await approve({ origin: h.url })).status).toBe(404);
    expect((await approve({ "sec-fetch-site": "same-origin" })).status).toBe(404);
    // Behind a proxy that rewrote the Host, the host it received the request for.
    expect((await approve({ origin: "https://autopilot.example.com", "x-forwarded-host": "autopilot.example.com" })).status).toBe(404);
    // A bearer token needs no origin: no browser sends it on its own.
    expect((await h.api("POST", "/api/v1/approvals/apr_unknown/approve", h.tokens.operator, {})).status).toBe(404);
  });

  it("refuses a cookie whose signature was changed", async () => {
    const cookie = cookieOf(await signIn(h.tokens.viewer));
    const [name, value] = cookie.split("=") as [string, string];
    const forged = `${name}=${decodeURIComponent(value).replace(/\.(.)/, (_, c: string) => `.${c === "A" ? "B" : "A"}`)}`;
    const res = await withCookie(forged);
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe("unauthenticated");
  });

  it("signs out: the session ends, the cookie is cleared", async () => {
    const cookie = cookieOf(await signIn(h.tokens.viewer));
    const out = await withCookie(cookie, "DELETE", "/api/v1/session", { origin: h.url });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ signed_out: true });
    expect(out.headers.get("set-cookie")).toMatch(/^autopilot_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
    expect((await withCookie(cookie)).status).toBe(401);
    // Both ends of the session are on the audit trail, under the token's name.
    const trail = (await h.ap.store.audit.list({ limit: 5000 })).filter((e) => e.kind.startsWith("session_") && e.actor.id === "victor");
    expect(trail.slice(-2).map((e) => [e.kind, e.decision])).toEqual([
      ["session_started", "viewer"],
      ["session_ended", "signed_out"],
    ]);
  });

  it("ends with its token: revoked by the admin API or by `token revoke`", async () => {
    const created = (await (await h.api("POST", "/api/v1/tokens", h.tokens.admin, { name: "laptop", role: "viewer" })).json()) as { token: { id: string }; secret: string };
    const first = cookieOf(await signIn(created.secret));
    const second = cookieOf(await signIn(created.secret));
    expect((await withCookie(first)).status).toBe(200);
    const revoked = await h.api("DELETE", `/api/v1/tokens/${created.token.id}`, h.tokens.admin);
    expect(await revoked.json()).toMatchObject({ token: { id: created.token.id, revoked_at: expect.any(String) }, sessions_ended: 2 });
    expect((await withCookie(first)).status).toBe(401);
    expect((await withCookie(second)).status).toBe(401);

    // `npx autopilot token revoke` only marks the token: its sessions end all the same.
    const other = (await (await h.api("POST", "/api/v1/tokens", h.tokens.admin, { name: "tablet", role: "operator" })).json()) as { token: { id: string }; secret: string };
    const cookie = cookieOf(await signIn(other.secret));
    await h.ap.store.tokens.revoke(other.token.id, new Date());
    expect((await withCookie(cookie)).status).toBe(401);
  });
});

describe("token routes", () => {
  it("list, create (the secret once) and revoke tokens, admin only, each change audited without the secret", async () => {
    expect((await h.api("POST", "/api/v1/tokens", h.tokens.operator, { name: "sneaky", role: "admin" })).status).toBe(403);
    const res = await h.api("POST", "/api/v1/tokens", h.tokens.admin, { name: "ci deployer", role: "operator" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = (await res.json()) as { token: { id: string; name: string; role: string; created_by: string }; secret: string };
    expect(created.secret).toMatch(/^apt_/);
    expect(created.token).toMatchObject({ name: "ci deployer", role: "operator", created_by: "ada" });
    expect((await h.api("GET", "/api/v1/approvals", created.secret)).status).toBe(200);

    const listed = (await (await h.api("GET", "/api/v1/tokens", h.tokens.admin)).json()) as { tokens: Array<Record<string, unknown>> };
    expect(listed.tokens.find((t) => t.id === created.token.id)).toMatchObject({ name: "ci deployer", revoked_at: null, last_used_at: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(JSON.stringify(listed)).not.toMatch(/hash/i);

    expect((await h.api("DELETE", "/api/v1/tokens/tok_nope", h.tokens.admin)).status).toBe(404);
    expect((await h.api("DELETE", `/api/v1/tokens/${created.token.id}`, h.tokens.admin)).status).toBe(200);
    expect((await h.api("GET", "/api/v1/approvals", created.secret)).status).toBe(401);

    const audit = (await h.ap.store.audit.list({ limit: 5000 })).filter((r) => r.kind === "admin_action" && r.data && (r.data as { token_id?: string }).token_id === created.token.id);
    expect(audit.map((r) => [r.decision, r.actor.id])).toEqual([
      ["token_created", "ada"],
      ["token_revoked", "ada"],
    ]);
    expect(JSON.stringify(audit)).not.toContain(created.secret);
  });
});
