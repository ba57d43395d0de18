import { summarize } from "./stats.js";

/** Where a gate call's time went: per port method, the time inside it per gate call. */
export interface PortTime {
  label: string;
  /** How many times a gate call invokes it. */
  perCall: number;
  p50Ms: number;
  meanMs: number;
  /** The mean over the calls the summary was asked about (the slowest ones), or null when none. */
  slowMeanMs: number | null;
}

/**
 * Wraps the gate's ports so that the time spent inside each method is summed per gate call. The
 * gate itself is untouched; what no port accounts for is the gate's own work (input validation,
 * hashing, building the context). Calls made in parallel each count their own time. The sums go
 * into preallocated arrays, so the timer keeps no per-call objects alive for the young generation
 * to copy: its own garbage would lengthen the collections the benchmark measures.
 */
export function createPortTimer(capacity: number) {
  const times = new Map<string, { ms: Float64Array; count: Uint32Array }>();
  let call = -1;
  let recorded = 0;

  const add = (label: string, start: bigint) => {
    if (call < 0) return;
    const slot = times.get(label)!;
    slot.ms[call]! += Number(process.hrtime.bigint() - start) / 1e6;
    slot.count[call]! += 1;
  };

  const timed = <F extends (...args: never[]) => unknown>(label: string, fn: F): F => {
    times.set(label, { ms: new Float64Array(capacity), count: new Uint32Array(capacity) });
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
    /** Starts summing for one gate call; `record` false for warm-up calls. Throws past `capacity` recorded calls. */
    begin(record: boolean) {
      if (!record) return void (call = -1);
      if (recorded >= capacity) throw new Error(`the port timer holds ${capacity} calls`);
      call = recorded++;
    },
    end() {
      call = -1;
    },
    /** Per label, what the recorded gate calls spent in it, largest first; `slow` are the indexes of the calls to average apart. */
    summary(slow: readonly number[] = []): PortTime[] {
      const rows = [...times].map(([label, slot]) => {
        const ms = summarize([...slot.ms.subarray(0, recorded)]);
        const count = slot.count.subarray(0, recorded).reduce((a, c) => a + c, 0);
        const slowMeanMs = slow.length > 0 ? slow.reduce((a, i) => a + slot.ms[i]!, 0) / slow.length : null;
        return { label, perCall: count / Math.max(1, recorded), p50Ms: ms.p50, meanMs: ms.mean, slowMeanMs };
      });
      return rows.filter((r) => r.perCall > 0).sort((a, b) => b.meanMs - a.meanMs);
    },
  };
}
