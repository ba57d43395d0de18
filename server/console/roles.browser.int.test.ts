import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startHarness, type Harness } from "../testing/harness.js";
import { startLangSmithSink, type LangSmithSink } from "../testing/langsmith-sink.js";
import { horizontalOverflow, launchChromium, openConsole, PHONE, screenshot, signIn, type ConsolePage } from "./test-support.js";

/** Calls the API from inside the page, with its session cookie (what a script in the page could do). */
function fetchInPage(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    { method, path, body },
  );
}

// One server (traced to a local LangSmith stand-in) and one browser for the file; the cycle is
// driven by the test (runNext/settle), so it waits at its first approval as long as the tests need.
describe("the console by role", () => {
  let h: Harness;
  let sink: LangSmithSink;
  let browser: Browser;
  let cycleId = "";
  let approvalId = "";
  const pages: ConsolePage[] = [];
  const open = async (options: Parameters<typeof openConsole>[2] = {}) => {
    const c = await openConsole(browser, h.url, options);
    pages.push(c);
    return c;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    sink = await startLangSmithSink();
    const tracing = { LANGSMITH_TRACING: "true", LANGSMITH_API_KEY: "lsv2_console_test", LANGSMITH_ENDPOINT: sink.url };
    h = await startHarness({ scenario: "ndcg-drop", env: tracing });
    expect((await h.api("PUT", "/api/v1/flags/production/auto_promote", h.tokens.admin, { enabled: false, reason: "promotions need an operator in this test" })).status).toBe(200);
    const sandbox = h.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    cycleId = ((await (await h.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] }).cycles_started[0]!;
    const paused = await h.settle(cycleId);
    expect(paused.status).toBe("awaiting_approval");
    approvalId = paused.pendingApprovalId!;
  });
  afterAll(async () => {
    const problems = pages.flatMap((c) => c.problems);
    await browser?.close();
    await h?.close();
    await sink?.close();
    // Script errors, CSP refusals and missing files in any page of the file.
    expect(problems).toEqual([]);
  });

  it("a viewer signs in with the keyboard and sees the approval but cannot decide it; the chat and admin are not offered", async () => {
    const { page } = await open({ hash: `#/approvals/${approvalId}` });
    // The sign-in field has focus; typing and Enter are enough, and the page asked for comes next.
    await page.getByLabel("API token").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    await page.keyboard.type(h.tokens.viewer);
    await page.keyboard.press("Enter");
    await page.locator(".who .principal").waitFor();
    expect(page.url()).toContain(`#/approvals/${approvalId}`);
    expect(await page.locator(".role").innerText()).toBe("viewer");
    expect(await page.locator("#nav a").allInnerTexts()).toEqual(["Cycles", "Approvals", "Health"]);

    const card = page.locator(`article[data-approval-id="${approvalId}"]`);
    await card.waitFor();
    expect(await card.locator("h3").innerText()).toBe("Run gitops_write_values?");
    expect(await card.locator(".reasons li").count()).toBeGreaterThan(0);
    expect(await card.locator("pre.json").innerText()).toContain('"model_version": "2"');
    expect(await page.getByRole("button", { name: /approve|reject/i }).count()).toBe(0);
    expect(await page.getByLabel("Reason").count()).toBe(0);
    expect(await page.locator(".approvals > .notice-info").innerText()).toContain("Deciding needs the operator role");
    await screenshot(page, "viewer-approvals");

    // The cycle page shows the same request, without a decision form either, and links the trace.
    await page.goto(`/#/cycles/${cycleId}`);
    await page.locator(`.pending-approval article[data-approval-id="${approvalId}"]`).waitFor();
    expect(await page.getByRole("button", { name: /approve|reject/i }).count()).toBe(0);
    const { trace_url } = (await (await h.api("GET", `/api/v1/cycles/${cycleId}/timeline`, h.tokens.viewer)).json()) as { trace_url: string | null };
    expect(trace_url).toMatch(/^http/);
    const trace = page.getByRole("link", { name: "Open in LangSmith" });
    await trace.waitFor();
    expect(await trace.getAttribute("href")).toBe(trace_url);
    expect(await trace.getAttribute("rel")).toBe("noopener noreferrer");

    // An unknown cycle and a malformed id get the server's words.
    await page.goto("/#/cycles/si_2099_01_01_001");
    await page.locator(".cycle .notice-error", { hasText: "No such cycle: no cycle si_2099_01_01_001" }).waitFor();
    expect(await page.locator(".cycle-timeline").count()).toBe(0);
    await page.goto("/#/cycles/last-one");
    await page.locator(".cycle .notice-error", { hasText: "id: is not a cycle id (si_YYYY_MM_DD_NNN)" }).waitFor();

    await page.goto("/#/chat");
    await page.getByRole("heading", { name: "Chat" }).waitFor();
    expect(await page.getByLabel("Ask the supervisor").count()).toBe(0);
    expect(await page.locator(".chat .notice-info").innerText()).toContain("needs the operator role");
    await page.goto("/#/admin");
    await page.getByRole("heading", { name: "Admin" }).waitFor();
    expect(await page.locator(".kill-switch").count()).toBe(0);

    // Keyboard focus is visible: the first link of the page shows an outline when tabbed to.
    await page.goto("/#/cycles");
    await page.getByRole("heading", { name: "Cycles" }).waitFor();
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe("none");
  });

  it("the API refuses a viewer's approval, from the page's session and with a bearer token", async () => {
    const viewer = pages[0]!;
    const fromPage = await fetchInPage(viewer.page, "POST", `/api/v1/approvals/${approvalId}/approve`, { reason: "I am only a viewer" });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.error.message).toContain("needs the operator role");
    const withToken = await h.api("POST", `/api/v1/approvals/${approvalId}/approve`, h.tokens.viewer, {});
    expect(withToken.status).toBe(403);
    expect((await h.ap.store.approvals.get(approvalId))!.status).toBe("pending");
  });

  it("an operator's rejection needs a reason, and a refusal of the server shows in the card as the server said it", async () => {
    const c = await open();
    const { page } = c;
    // No live updates in this page (the stream refused, then the polls left unanswered), so the
    // card stays on screen after another operator decides it through the API.
    await page.route("**/api/v1/events", (route) => route.abort());
    await page.goto(`/#/approvals/${approvalId}`);
    await signIn(page, h.tokens.operator);
    const card = page.locator(`article[data-approval-id="${approvalId}"]`);
    await card.waitFor();
    expect(await card.getAttribute("class")).toContain("highlight");
    // Without the event stream the page says it polls.
    await page.locator('.live-indicator[data-mode="polling"]').waitFor();
    await page.route("**/api/v1/approvals", () => undefined);

    const decisions: string[] = [];
    page.on("request", (r) => r.url().includes("/api/v1/approvals/") && r.method() === "POST" && decisions.push(r.url()));
    await card.getByRole("button", { name: "Reject" }).click();
    expect(await card.locator(".notice-error").innerText()).toContain("a rejection needs a reason");
    expect(await card.getByLabel("Reason").getAttribute("aria-invalid")).toBe("true");
    expect(decisions).toEqual([]);

    expect((await h.api("POST", `/api/v1/approvals/${approvalId}/approve`, h.tokens.operator, { reason: "decided in a shell" })).status).toBe(200);
    await card.getByLabel("Reason").fill("looks good");
    await card.getByRole("button", { name: "Approve" }).click();
    const refusal = card.locator(".notice-error");
    await refusal.filter({ hasText: "The server did not approve" }).waitFor();
    expect(await refusal.innerText()).toContain(`cannot decide approval ${approvalId}: it is already approved`);
    expect(await card.locator(".notice-error .code").innerText()).toContain("store_conflict");
    expect(decisions).toHaveLength(1);
    await screenshot(page, "operator-refused");
  });

  it("an admin stops and resumes an environment and turns a flag on, each with a reason, on a phone", async () => {
    const { page } = await open({ device: PHONE, hash: "#/admin" });
    await signIn(page, h.tokens.admin);
    expect(await page.locator("#nav a").allInnerTexts()).toEqual(["Chat", "Cycles", "Approvals", "Health", "Admin"]);
    const production = page.locator('.kill-switch[data-environment="production"]');
    await production.waitFor();
    expect(await page.locator(".kill-switch").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-environment")))).toEqual(["production", "staging", "dev"]);
    expect(await horizontalOverflow(page)).toBe(0);

    await production.getByRole("button", { name: "Stop production" }).click();
    expect(await production.locator(".notice-error").innerText()).toContain("Say why");
    await production.getByLabel("Reason to stop").fill("a bad deploy is being investigated");
    await production.getByRole("button", { name: "Stop production" }).click();
    await page.locator('.kill-switch.stopped[data-environment="production"]').waitFor();
    expect((await h.ap.store.flags.forEnvironment("production")).killSwitch).toBe(true);
    await screenshot(page, "admin-stopped-phone");
    await page.locator('.kill-switch[data-environment="production"]').getByLabel("Reason to resume").fill("the deploy is fine");
    await page.locator('.kill-switch[data-environment="production"]').getByRole("button", { name: "Resume production" }).click();
    await page.locator('.kill-switch.running[data-environment="production"]').waitFor();
    expect((await h.ap.store.flags.forEnvironment("production")).killSwitch).toBe(false);
    const audited = await h.ap.store.audit.list({ limit: 5000 });
    expect(audited.filter((e) => e.kind === "admin_action").map((e) => [e.decision, (e.data as { reason?: string }).reason])).toEqual(
      expect.arrayContaining([
        ["kill_switch_on", "a bad deploy is being investigated"],
        ["kill_switch_off", "the deploy is fine"],
      ]),
    );

    const flag = page.locator('.flag[data-environment="production"][data-flag="auto_promote"]');
    expect(await flag.locator(".switch").getAttribute("aria-pressed")).toBe("false");
    await flag.locator(".switch").click();
    await flag.getByLabel("Reason to turn auto_promote on").fill("promotions may run on their own again");
    await flag.getByRole("button", { name: "Turn on", exact: true }).click();
    await page.locator('.flag[data-environment="production"][data-flag="auto_promote"] .switch[aria-pressed="true"]').waitFor();
    expect((await h.ap.store.flags.forEnvironment("production")).autoPromote).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it("signing out ends the session: the API refuses the old cookie and the console asks to sign in again", async () => {
    const { page } = await open();
    await signIn(page, h.tokens.operator);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.locator(".sign-in .notice-info").innerText()).toBe("You are signed out.");
    expect((await fetchInPage(page, "GET", "/api/v1/session")).status).toBe(401);
    expect(await page.locator("#nav").isHidden()).toBe(true);
  });
});
