import type { EventEmitter } from "node:events";
import type { ApprovalRow, ApprovalsRepo, AuditRepo, AuditRow, CycleRow, CyclesRepo } from "./store/index.js";
import type { Logger } from "./logger.js";

/** A change the console shows as it happens. */
export type LiveEvent = { type: "cycle"; cycle: CycleRow } | { type: "approval"; approval: ApprovalRow };

/** Cycle and approval changes for live pages, from whichever replica made them. */
export interface LiveFeed {
  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Stops polling (subscribers get nothing more). */
  close(): void;
}

/** What the feed reads: the store, and this process's audit events (the Autopilot object fits). */
export interface LiveFeedDeps {
  store: { cycles: Pick<CyclesRepo, "list" | "get">; approvals: Pick<ApprovalsRepo, "listPending" | "get">; audit: Pick<AuditRepo, "list"> };
  events: EventEmitter;
  logger: Pick<Logger, "warn">;
}

/** Most recent cycles compared on each poll: a change to an older one is not shown live. */
const WATCHED_CYCLES = 50;

const cycleKey = (c: CycleRow) => `${c.status}|${c.outcome ?? ""}|${c.pendingApprovalId ?? ""}|${c.attempts}|${c.finishedAt?.getTime() ?? ""}`;

/**
 * A feed polled from the database, so changes made by another replica show too; one poller per
 * process however many pages listen, running only while someone does. An audit entry appended by
 * this process triggers a poll at once instead of waiting for the next tick.
 */
export function createLiveFeed(deps: LiveFeedDeps, options: { intervalMs?: number } = {}): LiveFeed {
  const intervalMs = options.intervalMs ?? 1_000;
  const listeners = new Set<(event: LiveEvent) => void>();
  let cycles = new Map<string, string>();
  let pending = new Map<string, ApprovalRow>();
  let primed = false;
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const emit = (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };
  const pollOnce = async () => {
    const [recent, open] = await Promise.all([deps.store.cycles.list({ limit: WATCHED_CYCLES }), deps.store.approvals.listPending(new Date())]);
    const nextCycles = new Map(recent.map((c) => [c.id, cycleKey(c)] as const));
    const nextPending = new Map(open.map((a) => [a.id, a] as const));
    if (primed) {
      for (const c of recent.slice().reverse()) if (cycles.get(c.id) !== nextCycles.get(c.id)) emit({ type: "cycle", cycle: c });
      for (const a of open) if (!pending.has(a.id)) emit({ type: "approval", approval: a });
      // An approval that left the pending list was decided, expired or used: show what it became.
      for (const id of pending.keys()) {
        if (nextPending.has(id)) continue;
        const row = await deps.store.approvals.get(id);
        if (row) emit({ type: "approval", approval: row });
      }
    }
    cycles = nextCycles;
    pending = nextPending;
    primed = true;
  };
  const poll = () => {
    if (polling) {
      again = true;
      return;
    }
    polling = pollOnce()
      .catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, "live feed poll failed"))
      .finally(() => {
        polling = null;
        if (again && listeners.size > 0 && !closed) {
          again = false;
          poll();
        }
      });
  };
  const onAudit = () => poll();
  const start = () => {
    primed = false;
    poll();
    timer = setInterval(poll, intervalMs);
    deps.events.on("audit", onAudit);
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
    deps.events.off("audit", onAudit);
  };

  return {
    subscribe(listener) {
      if (closed) return () => {};
      listeners.add(listener);
      if (listeners.size === 1) start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}

/**
 * Follows one cycle: every audit entry after `afterSeq` in order, and the cycle row whenever it
 * changes, until the cycle settles (completed or failed) and its last entries were sent, or until
 * `signal` aborts. Polled like the feed, and woken by this process's own audit entries.
 */
export async function followCycle(
  deps: LiveFeedDeps,
  cycleId: string,
  handlers: { audit(row: AuditRow): Promise<void>; cycle(row: CycleRow): Promise<void> },
  options: { afterSeq?: number; intervalMs?: number; signal: AbortSignal },
): Promise<"settled" | "aborted" | "gone"> {
  const intervalMs = options.intervalMs ?? 1_000;
  let afterSeq = options.afterSeq ?? 0;
  let lastKey = "";
  let wake: (() => void) | null = null;
  const onAudit = (event: { cycleId: string | null }) => {
    if (event.cycleId === cycleId) wake?.();
  };
  const onAbort = () => wake?.();
  deps.events.on("audit", onAudit);
  options.signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (!options.signal.aborted) {
      const row = await deps.store.cycles.get(cycleId);
      if (!row) return "gone";
      // The row is read before the entries: a cycle seen settled has written every entry it will.
      const settled = row.status === "completed" || row.status === "failed";
      for (;;) {
        const page = await deps.store.audit.list({ cycleId, afterSeq, limit: 500 });
        for (const entry of page) await handlers.audit(entry);
        if (page.length > 0) afterSeq = page.at(-1)!.seq;
        if (page.length < 500) break;
      }
      const key = cycleKey(row);
      if (key !== lastKey) {
        lastKey = key;
        await handlers.cycle(row);
      }
      if (settled) return "settled";
      if (options.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    return "aborted";
  } finally {
    deps.events.off("audit", onAudit);
    options.signal.removeEventListener("abort", onAbort);
  }
}
