import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startHarness, type Harness } from "../testing/harness.js";
import { horizontalOverflow, launchChromium, openConsole, PHONE, screenshot, signIn, startPacedProxy, type ConsolePage } from "./test-support.js";

/** The events of an event-stream body, in order (the test's own reading of what the server sent). */
function sseEvents(body: string): { event: string; data: any }[] {
  return body
    .split(/\r?\n\r?\n/)
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((l) => l.startsWith("event:"))?.slice(6).trim() ?? "message";
      const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      return { event, data: data ? JSON.parse(data) : null };
    })
    .filter((e) => e.data !== null);
}

// One server and one browser for the file: an operator signs in, chats, and takes a production
// cycle through its approvals in the page while the cycle runs in the background, as under `npm start`.
describe("the console, as an operator", () => {
  let h: Harness;
  let browser: Browser;
  let c: ConsolePage;
  let cycleId = "";

  beforeAll(async () => {
    // The browser first: without one there is nothing to test, and no server is left running.
    browser = await launchChromium();
    h = await startHarness({ scenario: "ndcg-drop" });
    // With auto_promote off, a production promotion waits for a human.
    const flag = await h.api("PUT", "/api/v1/flags/production/auto_promote", h.tokens.admin, { enabled: false, reason: "promotions need an operator in this test" });
    expect(flag.status).toBe(200);
    h.ap.runner.start();
    c = await openConsole(browser, h.url);
  });
  afterEach(() => {
    expect(c.problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("refuses a wrong token with the server's message, and sets no cookie", async () => {
    const { page } = c;
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("API token").fill("apt_not_a_token_of_this_server");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.locator(".sign-in .notice-error");
    await error.waitFor();
    expect(await error.innerText()).toContain("the API token is unknown or revoked");
    expect(await page.getByLabel("API token").inputValue()).toBe("");
    expect(await page.locator("#nav").isHidden()).toBe(true);
    expect(await c.context.cookies()).toEqual([]);
    await screenshot(page, "sign-in-refused");
  });

  it("signs in with an operator token: the role shows, the session is an HttpOnly cookie, the token is kept nowhere", async () => {
    const { page } = c;
    await signIn(page, h.tokens.operator);
    expect(await page.locator(".who .principal").innerText()).toMatch(/olivia\s+operator/);
    expect(await page.locator("#nav a").allInnerTexts()).toEqual(["Chat", "Cycles", "Approvals", "Health"]);
    const cookies = await c.context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookies[0]!.value).not.toContain(h.tokens.operator);
    await page.reload();
    await page.locator(".who .principal").waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain("apt_");
  });

  it("asks the supervisor and shows the answer growing as it streams, with its tool calls, and keeps the conversation", async () => {
    const { page } = c;
    // The answer's events come one by one, with a pause between them, as over a real network.
    const paced = await startPacedProxy(h.url, { paced: (path) => path === "/api/v1/chat" });
    await page.goto(`${paced.url}/#/chat`);
    await page.getByLabel("Ask the supervisor").waitFor();
    // Every text the answer shows on its way: a streamed answer grows in several steps.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { answerTexts: string[] }).answerTexts = seen;
      new MutationObserver(() => {
        const text = document.querySelector(".message-assistant .message-text")?.textContent ?? "";
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.querySelector(".transcript")!, { subtree: true, childList: true, characterData: true });
    });
    const question = "What is p95 latency of search now?";
    const response = page.waitForResponse((r) => r.url().endsWith("/api/v1/chat"));
    await page.getByLabel("Ask the supervisor").fill(question);
    await page.getByLabel("Ask the supervisor").press("Enter");
    const res = await response;
    expect(JSON.parse(res.request().postData()!)).toEqual({ message: question });
    expect(res.headers()["content-type"]).toMatch(/^text\/event-stream/);
    await page.waitForFunction(() => document.querySelectorAll(".message-assistant").length === 1 && !document.querySelector(".message.streaming"));

    const events = sseEvents(await res.text());
    const tokens = events.filter((e) => e.event === "token").map((e) => e.data.text as string);
    const done = events.find((e) => e.event === "done")!;
    const meta = events.find((e) => e.event === "meta")!;
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join("")).toBe(done.data.answer);
    const answer = page.locator(".message-assistant .message-text");
    expect(await answer.innerText()).toBe(done.data.answer.trim());
    const seen = await page.evaluate(() => (window as unknown as { answerTexts: string[] }).answerTexts);
    expect(seen.length).toBeGreaterThan(1);
    seen.forEach((text, i) => i > 0 && expect(text.startsWith(seen[i - 1]!)).toBe(true));

    // Each tool call the server reported shows with its policy decision.
    const tools = events.filter((e) => e.event === "tool");
    expect(tools.length).toBeGreaterThan(0);
    const shown = await page.locator(".message-assistant .tool-call").evaluateAll((items) => items.map((li) => ({ tool: li.querySelector("code")?.textContent, decision: li.querySelector(".badge")?.getAttribute("data-value") })));
    expect(shown.map((t) => t.tool)).toEqual(expect.arrayContaining([...new Set(tools.map((t) => t.data.tool))]));
    expect(shown.every((t) => ["allow", "deny", "require_approval"].includes(t.decision ?? ""))).toBe(true);
    expect(await page.locator(".transcript").getAttribute("aria-live")).toBe("polite");
    expect(await page.locator(".transcript").getAttribute("aria-busy")).toBe("false");

    // The next question continues the conversation the server named.
    expect(await page.locator(".conversation-id").innerText()).toContain(meta.data.conversation_id);
    const second = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat"));
    await page.getByLabel("Ask the supervisor").fill("And its baseline?");
    await page.getByRole("button", { name: "Send" }).click();
    expect(JSON.parse((await second).postData()!)).toEqual({ message: "And its baseline?", conversation_id: meta.data.conversation_id });
    await page.waitForFunction(() => document.querySelectorAll(".message-assistant").length === 2 && !document.querySelector(".message.streaming"));

    // A change asked in the chat becomes an approval request, linked from the answer.
    await page.getByRole("button", { name: "Retrain the reranker on last week's data" }).click();
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".message-assistant").length === 3 && !document.querySelector(".message.streaming"));
    const last = page.locator(".message-assistant").last();
    expect(await last.locator(".tool-call code").first().innerText()).toBe("autopilot_request_cycle");
    expect(await last.locator(".tool-call .badge").first().getAttribute("data-value")).toBe("require_approval");
    const link = last.locator(".message-actions a");
    const requested = (await link.innerText()).replace("Approval ", "");
    expect(await link.getAttribute("href")).toBe(`#/approvals/${requested}`);
    await screenshot(page, "chat");
    await link.click();
    const card = page.locator(`article.approval.highlight[data-approval-id="${requested}"]`);
    await card.waitFor();
    expect(await card.locator("h3").innerText()).toBe("Run autopilot_request_cycle?");
    expect(await card.locator(".facts").innerText()).toContain("none (asked from the chat)");
    await page.goto(`${h.url}/#/cycles`);
    await paced.close();
  });

  it("shows a new cycle in the list live, follows it to each approval, approves in the page, and sees it finish with its timeline and chart", async () => {
    const { page } = c;
    await page.goto("/#/cycles");
    await page.locator('.live-indicator[data-mode="live"]').waitFor();
    const sandbox = h.ap.platform.sandbox!;
    sandbox.advanceToAlert(0);
    const started = (await (await h.webhook(sandbox.alertPayload(0))).json()) as { cycles_started: string[] };
    cycleId = started.cycles_started[0]!;
    // The row arrives through the event stream: no reload.
    const row = page.locator(`tr[data-cycle-id="${cycleId}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain("SearchRelevanceDegraded · search · production");
    await row.getByRole("link", { name: cycleId }).click();
    await page.getByRole("heading", { name: `Cycle ${cycleId}` }).waitFor();

    const approved: string[] = [];
    const completed = page.locator('[data-field="status"] .badge[data-value="completed"]');
    const card = page.locator(".pending-approval article.approval");
    while (approved.length < 5) {
      await card.or(completed).first().waitFor();
      if (await completed.isVisible()) break;
      const id = (await card.getAttribute("data-approval-id"))!;
      const tool = await card.locator("h3 code").innerText();
      if (approved.length === 0) await screenshot(page, "cycle-awaiting-approval");
      // What will run, with which input, and why the policy asks.
      expect(await card.locator(".reasons li").count()).toBeGreaterThan(0);
      const pending = (await (await h.api("GET", `/api/v1/approvals/${id}`, h.tokens.viewer)).json()) as { approval: { tool: string; input: unknown } };
      expect(pending.approval.tool).toBe(tool);
      expect(JSON.parse(await card.locator("pre.json").innerText())).toEqual(pending.approval.input);
      await card.getByLabel("Reason").fill(`checked ${tool}`);
      await card.getByRole("button", { name: "Approve" }).click();
      approved.push(tool);
      await page.locator(`.pending-approval article[data-approval-id="${id}"]`).waitFor({ state: "detached" });
    }
    expect(approved).toEqual(["gitops_write_values", "argocd_sync_application", "mlflow_set_model_alias"]);
    expect(await page.locator('[data-field="outcome"] .badge').getAttribute("data-value")).toBe("promoted");
    await page.locator('.live-indicator[data-mode="settled"]').waitFor();
    const row2 = (await h.ap.store.cycles.get(cycleId))!;
    expect(row2.status).toBe("completed");
    expect((row2.report as { approver: string }).approver).toBe("olivia");
    expect(await page.locator(".report-approvals li").allInnerTexts()).toEqual(approved.map((t) => `${t} approved by olivia: checked ${t}`));

    // The timeline: every step of the server's, with decisions and reasons.
    const timeline = (await (await h.api("GET", `/api/v1/cycles/${cycleId}/timeline`, h.tokens.viewer)).json()) as { steps: { seq: number; decision: string | null }[] };
    await page.waitForFunction((n) => document.querySelectorAll(".timeline > li").length === n, timeline.steps.length);
    expect(await page.locator(".timeline > li").evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-seq"))))).toEqual(timeline.steps.map((s) => s.seq));
    expect(await page.locator('.timeline .badge[data-value="require_approval"]').count()).toBe(timeline.steps.filter((s) => s.decision === "require_approval").length);
    expect(await page.locator(".timeline .step-reasons li").count()).toBeGreaterThan(0);

    // The chart: the series, every anomalous point and the alert and deploy marks, labelled.
    const chart = (await (await h.api("GET", `/api/v1/cycles/${cycleId}/chart`, h.tokens.viewer)).json()) as { series: unknown[]; anomalies: unknown[]; marks: { kind: string; label: string }[] };
    const svg = page.locator('svg[data-chart="metric"]');
    await svg.waitFor();
    expect(chart.anomalies.length).toBeGreaterThan(0);
    expect(await svg.locator("circle.anomaly").count()).toBe(chart.anomalies.length);
    expect(((await svg.locator("path.series").getAttribute("d")) ?? "").split("L")).toHaveLength(chart.series.length);
    for (const kind of ["alert", "deploy", "approval"]) {
      expect(chart.marks.some((m) => m.kind === kind)).toBe(true);
      expect(await svg.locator(`g.mark[data-kind="${kind}"]`).count()).toBe(chart.marks.filter((m) => m.kind === kind).length);
    }
    expect(await svg.locator('.mark-labels text[data-kind="alert"]').textContent()).toBe("alert: SearchRelevanceDegraded");
    expect(await svg.locator('.mark-labels text[data-kind="deploy"]').count()).toBeGreaterThan(0);

    // The artifacts open on demand.
    const artifacts = page.locator(".artifacts > li");
    expect(await artifacts.count()).toBeGreaterThan(0);
    await artifacts.first().locator("summary").click();
    await artifacts.first().locator("pre.json").waitFor();
    expect((await artifacts.first().locator("pre.json").innerText()).length).toBeGreaterThan(20);
    await screenshot(page, "cycle-completed");
  });

  it("counts the promoted cycle in the loop's health and the week's report", async () => {
    const { page } = c;
    const health = (await (await h.api("GET", "/api/v1/report/health?weeks=8", h.tokens.viewer)).json()) as { weeks: { week: string; cycles: number }[] };
    const week = health.weeks.find((w) => w.cycles > 0)!.week;
    await page.goto("/#/health");
    const row = page.locator(`.health-weeks tr[data-week="${week}"]`);
    await row.waitFor();
    expect(await row.locator("td").allInnerTexts()).toEqual(expect.arrayContaining([week, "1", "100 %", "0 (0)"]));
    expect(await page.locator('.tiles .tile[data-key="success_rate"] dd').first().innerText()).toBe("100 %");
    const weekly = page.locator(`.weekly[data-week="${week}"]`);
    await weekly.waitFor();
    expect(await page.locator("input#week").inputValue()).toBe(week);
    expect(await weekly.innerText()).toContain("1 promoted");
    expect(await weekly.locator('.tile[data-key="cycles"] dd').innerText()).toBe("1");
    await screenshot(page, "health");
  });

  it("fits a phone's width on every page, the cycle page and its chart included", async () => {
    const phone = await openConsole(browser, h.url, { device: PHONE });
    try {
      await signIn(phone.page, h.tokens.operator);
      for (const hash of ["#/cycles", `#/cycles/${cycleId}`, "#/chat", "#/approvals", "#/health"]) {
        await phone.page.goto(`/${hash}`);
        await phone.page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
        expect(await horizontalOverflow(phone.page), hash).toBe(0);
        await screenshot(phone.page, `phone-${hash.replace(/[#/]+/g, "-").replace(/^-/, "").replace(/si_.*$/, "cycle")}`);
      }
      await phone.page.goto(`/#/cycles/${cycleId}`);
      const svg = phone.page.locator('svg[data-chart="metric"]');
      await svg.waitFor();
      expect(Number(await svg.getAttribute("width"))).toBeLessThanOrEqual(PHONE.viewport.width);
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
