import { describe, expect, it } from "vitest";
import { createWindowStore } from "./rate-limit.js";

describe("the rate limit's window store", () => {
  it("counts hits per key within a window, starts a new window once it ends, and sweeps keys whose window ended", async () => {
    let now = 1_000_000;
    const store = createWindowStore(60_000, () => now);
    expect((await store.increment("a")).totalHits).toBe(1);
    expect((await store.increment("a")).totalHits).toBe(2);
    expect((await store.increment("b")).totalHits).toBe(1);
    const first = await store.increment("a");
    expect(first).toMatchObject({ totalHits: 3, resetTime: new Date(1_060_000) });
    await store.decrement("a");
    expect((await store.get!("a"))?.totalHits).toBe(2);
    now += 60_000;
    expect(await store.increment("a")).toMatchObject({ totalHits: 1, resetTime: new Date(1_120_000) });
    // "b" had no hit in its window: swept with the window, not kept for ever.
    expect(await store.get!("b")).toBeUndefined();
    await store.resetKey("a");
    expect(await store.get!("a")).toBeUndefined();
  });
});
