import { afterEach } from "vitest";
import { SimulatedClock } from "../../../core/index.js";
import type { ToolContext } from "../../tool.js";
import { PrometheusClient } from "../client.js";
import { startFakePrometheus, type FakePrometheus, type FakeSeries } from "./fake-prometheus.js";
import { testToolContext } from "./tool-context.js";

/** A series with the same value at every instant. */
export function constantSeries(labels: Record<string, string>, value: number): FakeSeries {
  return { labels, value: () => value };
}

/**
 * Registers an afterEach that stops the fake server, and returns a set-up function: a simulated
 * clock at `start`, a fake Prometheus serving `series` on that clock, and a ToolContext using it.
 */
export function fakePrometheusPerTest(start: Date): (series: FakeSeries[]) => Promise<{ clock: SimulatedClock; fake: FakePrometheus; ctx: ToolContext }> {
  let fake: FakePrometheus | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return async (series) => {
    const clock = new SimulatedClock({ start });
    fake = await startFakePrometheus({ series, now: () => clock.now() });
    const ctx = testToolContext({ clock, clients: { prometheus: new PrometheusClient({ baseUrl: fake.url }) } });
    return { clock, fake, ctx };
  };
}
