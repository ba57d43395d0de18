import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import type { CycleRow } from "../store/index.js";
import { startHarness, type Harness } from "../testing/harness.js";
import { isApiClientError } from "./api-client.js";
import { runApproveCommand } from "./approve.js";
import { runCyclesCommand, type CycleListItem } from "./cycles.js";
import { closedPort } from "./test-support.js";

// The shell commands against a running server: a cost cycle (its promotion needs a human) parks at
// its first approval; operators and viewers answer it from the shell.
const BIN = path.resolve(import.meta.dirname, "..", "..", "bin", "autopilot.js");
const execFileP = promisify(execFile);

let h: Harness;
let cycleId: string;
let parked: CycleRow;

beforeAll(async () => {
  h = await startHarness({ scenario: "cost-overrun" });
  const sandbox = h.ap.platform.sandbox!;
  sandbox.advanceToAlert(0);
  const res = await h.webhook(sandbox.alertPayload(0));
  cycleId = ((await res.json()) as { cycles_started: string[] }).cycles_started[0]!;
  parked = await h.settle(cycleId);
  expect(parked.status).toBe("awaiting_approval");
}, 120_000);
afterAll(async () => h?.close());

const configFor = (token?: string, url = h.url) => loadConfig({ AUTOPILOT_URL: url, ...(token ? { AUTOPILOT_TOKEN: token } : {}) } as NodeJS.ProcessEnv);
const collect = () => {
  const lines: string[] = [];
  return { lines, out: (line: string) => void lines.push(line) };
};

/** Runs the CLI as a user would, with only the client's variables set. */
async function cli(args: string[], env: Record<string, string>) {
  const clean = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env };
  try {
    const r = await execFileP(process.execPath, [BIN, ...args], { env: clean, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const approvalStatus = async (id: string) => ((await (await h.api("GET", `/api/v1/approvals/${id}`, h.tokens.viewer)).json()) as { approval: { status: string; tool: string } }).approval;

describe("autopilot cycles", () => {
  it("prints a table of the newest cycles, a parked one showing the approval it waits for", async () => {
    const { lines, out } = collect();
    expect(await runCyclesCommand(configFor(h.tokens.viewer), { json: false }, out, { now: new Date(parked.startedAt!.getTime() + 3 * 3600_000) })).toBe(0);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(["ID", "STATUS", "OUTCOME", "SERVICE", "SIGNAL", "TRIGGER", "DURATION", "AGE"]);
    expect(lines).toHaveLength(2);
    const cells = lines[1]!.split(/\s{2,}/);
    expect(cells.slice(0, 6)).toEqual([cycleId, "awaiting_approval", `awaits ${parked.pendingApprovalId}`, "search", "cost", "ServingCostOverBudget"]);
    expect(cells[6]).toMatch(/^\d+[smhd]\+$/);
    expect(cells[7]).toBe("3h");
  });

  it("gives the API's list with --json, and filters by status", async () => {
    const json = collect();
    expect(await runCyclesCommand(configFor(h.tokens.viewer), { json: true, limit: "5" }, json.out)).toBe(0);
    const listed = JSON.parse(json.lines.join("\n")) as { cycles: CycleListItem[]; next_before: string | null };
    expect(listed.cycles.map((c) => [c.id, c.status, c.pending_approval_id])).toEqual([[cycleId, "awaiting_approval", parked.pendingApprovalId]]);
    const none = collect();
    expect(await runCyclesCommand(configFor(h.tokens.viewer), { json: false, status: "failed" }, none.out)).toBe(0);
    expect(none.lines).toEqual(["no failed cycle"]);
  });

  it("refuses a bad --status or --limit before calling the server", async () => {
    const bad = collect();
    expect(await runCyclesCommand(configFor(undefined, "http://127.0.0.1:1"), { json: false, status: "done" }, bad.out)).toBe(2);
    expect(await runCyclesCommand(configFor(undefined, "http://127.0.0.1:1"), { json: false, limit: "0" }, bad.out)).toBe(2);
    expect(bad.lines).toEqual(["--status must be one of queued, running, awaiting_approval, completed, failed", "--limit must be a whole number from 1 to 200"]);
  });

  it("says which token is wrong when the server refuses it", async () => {
    const error = await runCyclesCommand(configFor("apt_not_a_token"), { json: false }, () => {}).catch((e: unknown) => e);
    expect(isApiClientError(error) && error.status).toBe(401);
    expect(String((error as Error).message)).toContain("check AUTOPILOT_TOKEN");
  });
});

describe("autopilot approve / reject", () => {
  it("shows a viewer the server's 403 and leaves the approval pending", async () => {
    const r = await cli(["approve", parked.pendingApprovalId!, "--reason", "looks fine"], { AUTOPILOT_URL: h.url, AUTOPILOT_TOKEN: h.tokens.viewer });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`the server refused POST /api/v1/approvals/${parked.pendingApprovalId}/approve (403 forbidden)`);
    expect(r.stderr).toContain("needs the operator role; victor has viewer");
    expect(r.stderr).not.toContain(h.tokens.viewer);
    expect((await approvalStatus(parked.pendingApprovalId!)).status).toBe("pending");
  });

  it("lets an operator approve, and the cycle resumes to its next approval", async () => {
    const { lines, out } = collect();
    expect(await runApproveCommand(configFor(h.tokens.operator), { decision: "approve", id: parked.pendingApprovalId!, reason: "half the cost" }, out)).toBe(0);
    expect(lines[0]).toBe(`approved ${parked.pendingApprovalId}: gitops_write_values of cycle ${cycleId}, by olivia (half the cost)`);
    expect(lines[1]).toContain("the cycle resumes");
    const next = await h.settle(cycleId);
    expect(next.status).toBe("awaiting_approval");
    expect(next.pendingApprovalId).not.toBe(parked.pendingApprovalId);
    parked = next;
  });

  it("needs an id, and a reason to reject, before calling the server", async () => {
    const { lines, out } = collect();
    expect(await runApproveCommand(configFor(h.tokens.operator), { decision: "reject", id: parked.pendingApprovalId! }, out)).toBe(2);
    expect(await runApproveCommand(configFor(h.tokens.operator), { decision: "approve" }, out)).toBe(2);
    expect(lines[0]).toBe("a rejection needs a reason: autopilot reject ID --reason R");
    expect(lines[1]).toBe("usage: autopilot approve APPROVAL_ID [--reason R]");
    expect((await approvalStatus(parked.pendingApprovalId!)).status).toBe("pending");
  });

  it("names an unknown approval", async () => {
    const error = await runApproveCommand(configFor(h.tokens.operator), { decision: "approve", id: "ap_nope" }, () => {}).catch((e: unknown) => e);
    expect(isApiClientError(error) && [error.status, error.code]).toEqual([404, "not_found"]);
    expect((error as Error).message).toContain("no approval ap_nope");
  });

  it("rejects from the command line with a reason, and the cycle escalates with it", async () => {
    const r = await cli(["reject", parked.pendingApprovalId!, "--reason", "not during the sale"], { AUTOPILOT_URL: h.url, AUTOPILOT_TOKEN: h.tokens.operator });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rejected ${parked.pendingApprovalId}: argocd_sync_application of cycle ${cycleId}, by olivia (not during the sale)`);
    const ended = await h.settle(cycleId);
    expect([ended.status, ended.outcome]).toEqual(["completed", "escalated"]);
    expect((ended.report as { outcome_reason: string }).outcome_reason).toContain("not during the sale");
  });
});

describe("without a usable server or token", () => {
  it("names AUTOPILOT_TOKEN when it is not set", async () => {
    const r = await cli(["cycles"], { AUTOPILOT_URL: h.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("autopilot: AUTOPILOT_TOKEN is not set");
  });

  it("names the URL it could not reach", async () => {
    const port = await closedPort();
    const r = await cli(["approve", "ap_1"], { AUTOPILOT_URL: `http://127.0.0.1:${port}`, AUTOPILOT_TOKEN: "apt_x" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the autopilot server at http://127.0.0.1:${port}`);
    expect(r.stderr).toContain("ECONNREFUSED");
  });
});
