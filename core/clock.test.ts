import { describe, expect, it } from "vitest";
import { SimulatedClock, sleepUntil, systemClock } from "./clock.js";

describe("SimulatedClock", () => {
  it("jumps forward on sleep without waiting", async () => {
    const clock = new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") });
    await clock.sleep(2 * 3600_000);
    expect(clock.now().toISOString()).toBe("2026-11-20T10:00:00.000Z");
  });
  it("drifts with real time at its speed", () => {
    let real = 1_000;
    const clock = new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z"), speed: 60, realNow: () => real });
    real += 1_000; // one real second is a simulated minute
    expect(clock.now().toISOString()).toBe("2026-11-20T08:01:00.000Z");
  });
  it("sleepUntil does nothing for a past instant and reaches a future one", async () => {
    const clock = new SimulatedClock({ start: new Date("2026-11-20T08:00:00Z") });
    await sleepUntil(clock, new Date("2026-11-20T07:00:00Z"));
    expect(clock.now().toISOString()).toBe("2026-11-20T08:00:00.000Z");
    await sleepUntil(clock, new Date("2026-11-20T09:30:00Z"));
    expect(clock.now().toISOString()).toBe("2026-11-20T09:30:00.000Z");
  });
  it("rejects a sleep whose signal is already aborted", async () => {
    const clock = new SimulatedClock({ start: new Date(0) });
    await expect(clock.sleep(10, AbortSignal.abort(new Error("stop")))).rejects.toThrow("stop");
  });
});

describe("systemClock", () => {
  it("stops sleeping when aborted", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(sleeping).rejects.toThrow("cancelled");
  });
});
