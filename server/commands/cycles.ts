import type { Config } from "../config.js";
import type { CycleStatus } from "../store/index.js";
import { apiClientFor, type ApiClientOptions } from "./api-client.js";

const STATUSES: readonly CycleStatus[] = ["queued", "running", "awaiting_approval", "completed", "failed"];
const MAX_LIMIT = 200;

/** A cycle as `GET /api/v1/cycles` lists it (the fields this command shows). */
export interface CycleListItem {
  id: string;
  status: string;
  outcome: string | null;
  service: string | null;
  signal: string | null;
  trigger: Record<string, unknown>;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  pending_approval_id: string | null;
}

/**
 * `autopilot cycles [--status S] [--limit N] [--json]`: the newest cycles of the running server, as a
 * table (id, status, outcome, service, signal, trigger, duration, age) or, with --json, as the API
 * lists them. A parked cycle shows the approval it waits for, which `autopilot approve` takes.
 */
export async function runCyclesCommand(
  config: Pick<Config, "client">,
  args: { status?: string; limit?: string; json: boolean },
  out: (line: string) => void,
  options: Pick<ApiClientOptions, "fetch"> & { now?: Date } = {},
): Promise<number> {
  if (args.status !== undefined && !STATUSES.includes(args.status as CycleStatus)) {
    out(`--status must be one of ${STATUSES.join(", ")}`);
    return 2;
  }
  const limit = args.limit === undefined ? 20 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    out(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
    return 2;
  }
  const query = new URLSearchParams({ limit: String(limit), ...(args.status ? { status: args.status } : {}) });
  const answer = await apiClientFor(config, options).request<{ cycles: CycleListItem[]; next_before: string | null }>("GET", `/api/v1/cycles?${query}`);
  if (args.json) {
    out(JSON.stringify(answer, null, 2));
    return 0;
  }
  if (answer.cycles.length === 0) {
    out(args.status ? `no ${args.status} cycle` : "no cycle yet");
    return 0;
  }
  for (const line of cyclesTable(answer.cycles, options.now ?? new Date())) out(line);
  if (answer.next_before) out(`(the newest ${answer.cycles.length}; --limit up to ${MAX_LIMIT} shows more)`);
  return 0;
}

/** The table's lines: a header, then one padded row per cycle. */
export function cyclesTable(cycles: CycleListItem[], now: Date): string[] {
  const rows = cycles.map((c) => [
    c.id,
    c.status,
    c.status === "awaiting_approval" && c.pending_approval_id ? `awaits ${c.pending_approval_id}` : (c.outcome ?? "-"),
    c.service ?? "-",
    c.signal ?? "-",
    triggerOf(c.trigger),
    durationOf(c, now),
    // started_at is the runner's wall clock; created_at is the platform's, which the sandbox runs fast.
    compactAge(now.getTime() - Date.parse(c.started_at ?? c.created_at)),
  ]);
  const head = ["ID", "STATUS", "OUTCOME", "SERVICE", "SIGNAL", "TRIGGER", "DURATION", "AGE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

/** What started the cycle: its alert's name, or "manual". */
function triggerOf(trigger: Record<string, unknown>): string {
  if (typeof trigger.alertname === "string" && trigger.alertname) return trigger.alertname;
  return trigger.manual ? "manual" : "-";
}

/** Started to finished; a cycle still at work shows its time so far with a "+". */
function durationOf(c: CycleListItem, now: Date): string {
  if (!c.started_at) return "-";
  const end = c.finished_at ? Date.parse(c.finished_at) : now.getTime();
  return `${compactAge(end - Date.parse(c.started_at))}${c.finished_at ? "" : "+"}`;
}

/** A span in its largest unit: 42s, 5m, 3h, 2d. */
export function compactAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
