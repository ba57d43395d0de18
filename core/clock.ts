/**
 * Time as every layer sees it. Production code never calls `Date.now()` or `setTimeout` for
 * business time directly: it asks a Clock, so the sandbox can make hours of post-deploy
 * monitoring pass in seconds and tests stay deterministic.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /** Waits `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** Options of a simulated clock. */
export interface SimulatedClockOptions {
  /** The simulated instant at creation. */
  start: Date;
  /** Simulated milliseconds that pass per real millisecond (0 freezes time between sleeps). */
  speed?: number;
  /** The real clock the drift is measured on; injectable for tests. */
  realNow?: () => number;
}

/**
 * A clock whose `sleep` returns at once and moves simulated time forward. With `speed > 0`
 * simulated time also drifts with real time, so a running sandbox keeps producing fresh samples.
 */
export class SimulatedClock implements Clock {
  private readonly startMs: number;
  private readonly realStart: number;
  private readonly speed: number;
  private readonly realNow: () => number;
  private skippedMs = 0;

  constructor(options: SimulatedClockOptions) {
    this.startMs = options.start.getTime();
    this.speed = options.speed ?? 0;
    this.realNow = options.realNow ?? Date.now;
    this.realStart = this.realNow();
  }

  now(): Date {
    const drift = (this.realNow() - this.realStart) * this.speed;
    return new Date(this.startMs + Math.floor(drift) + this.skippedMs);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.skippedMs += Math.max(0, ms);
    // Yield so concurrent work observes the jump in order.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves simulated time forward without anyone waiting (scenario set-up, tests). */
  advance(ms: number): void {
    this.skippedMs += Math.max(0, ms);
  }

  /** Waits until the clock reads at least `at`. */
  async sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
    await this.sleep(at.getTime() - this.now().getTime(), signal);
  }
}

/** Waits until `clock` reads at least `at` (a no-op when that moment has passed). */
export async function sleepUntil(clock: Clock, at: Date, signal?: AbortSignal): Promise<void> {
  const wait = at.getTime() - clock.now().getTime();
  if (wait > 0) await clock.sleep(wait, signal);
}
