import { summarize } from "./stats.js";

/** Where a gate call's time went: per port method, the time inside it per gate call. */
export interface PortTime {
  label: string;
  /** How many times a gate call invokes it. */
  perCall: number;
  p50Ms: number;
  meanMs: number;
}

/**
 * Wraps the gate's ports so that the time spent inside each method is summed per gate call. The
 * gate itself is untouched; what no port accounts for is the gate's own work (input validation,
 * hashing, building the context). Calls made in parallel each count their own time.
 */
export function createPortTimer() {
  let current: Map<string, { ms: number; count: number }> | null = null;
  const calls: Array<Map<string, { ms: number; count: number }>> = [];
  const labels = new Set<string>();

  const add = (label: string, start: bigint) => {
    if (!current) return;
    const entry = current.get(label) ?? { ms: 0, count: 0 };
    entry.ms += Number(process.hrtime.bigint() - start) / 1e6;
    entry.count += 1;
    current.set(label, entry);
  };

  const timed = <F extends (...args: never[]) => unknown>(label: string, fn: F): F => {
    labels.add(label);
    return ((...args: Parameters<F>) => {
      const start = process.hrtime.bigint();
      const result = fn(...args);
      if (result instanceof Promise) return result.finally(() => add(label, start));
      add(label, start);
      return result;
    }) as F;
  };

  return {
    /** A function that times itself under `label`. */
    timed,
    /** A copy of `port` whose methods time themselves as `<name>.<method>`. */
    port<T extends object>(name: string, port: T): T {
      const entries = Object.entries(port).map(([key, value]) => [key, typeof value === "function" ? timed(`${name}.${key}`, value.bind(port)) : value]);
      return Object.fromEntries(entries) as T;
    },
    /** Starts summing for one gate call; `record` false for warm-up calls. */
    begin(record: boolean) {
      current = new Map();
      if (record) calls.push(current);
    },
    end() {
      current = null;
    },
    /** Per label, what the recorded gate calls spent in it, largest first. */
    summary(): PortTime[] {
      const rows = [...labels].map((label) => {
        const per = calls.map((c) => c.get(label) ?? { ms: 0, count: 0 });
        const ms = summarize(per.map((p) => p.ms));
        return { label, perCall: per.reduce((a, p) => a + p.count, 0) / Math.max(1, calls.length), p50Ms: ms.p50, meanMs: ms.mean };
      });
      return rows.filter((r) => r.perCall > 0).sort((a, b) => b.meanMs - a.meanMs);
    },
  };
}
