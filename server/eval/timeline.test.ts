import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario } from "../../evals/sandbox/index.js";
import { AfterToolHandler, BeatClock, timelineOf, type Beat } from "./timeline.js";

const START = Date.parse("2026-11-20T08:00:00Z");
const min = (n: number) => START + n * 60_000;

/** ndcg-drop with other alerts and an operator timeline. */
function scenarioWith(fields: Record<string, unknown>) {
  const { name, ...base } = loadScenario("ndcg-drop");
  return parseScenario({ ...base, name, ...fields });
}

const alert = { labels: { alertname: "SearchRelevanceDegraded", signal: "ndcg_drop", service: "search" } };

describe("timelineOf", () => {
  it("puts every alert send and timed operator action in time order, repeats expanded, resolved kept", () => {
    const scenario = scenarioWith({
      alerts: [
        { ...alert, at: "20m", repeat: { times: 3, every: "5m" } },
        { ...alert, at: "22m", status: "resolved" },
      ],
      timeline: [
        { at: "21m", action: "kill_switch_on", reason: "investigating" },
        { after_tool: "h2o_train_model", action: "kill_switch_off" },
      ],
    });
    const { timed, afterTool } = timelineOf(scenario);
    expect(timed).toEqual([
      { at: min(20), kind: "alert", index: 0, status: "firing" },
      { at: min(21), kind: "operator", action: "kill_switch_on", reason: "investigating" },
      { at: min(22), kind: "alert", index: 1, status: "resolved" },
      { at: min(25), kind: "alert", index: 0, status: "firing" },
      { at: min(30), kind: "alert", index: 0, status: "firing" },
    ]);
    expect([...afterTool]).toEqual([["h2o_train_model", [{ kind: "operator", action: "kill_switch_off", reason: null }]]]);
  });

  it("keeps the file's order for beats at the same instant", () => {
    const scenario = scenarioWith({ alerts: [{ ...alert, at: "20m" }, { ...alert, at: "20m", status: "resolved" }], timeline: [{ at: "20m", action: "kill_switch_on" }] });
    expect(timelineOf(scenario).timed.map((b) => (b.kind === "alert" ? b.status : b.action))).toEqual(["firing", "resolved", "kill_switch_on"]);
  });
});

describe("BeatClock", () => {
  it("plays a beat inside a sleep that crosses it, at the beat's own time, then finishes the sleep", async () => {
    const clock = new BeatClock({ start: new Date(START) });
    const seen: Array<{ beat: Beat; at: number }> = [];
    clock.schedule(
      [
        { at: min(10), kind: "operator", action: "kill_switch_on", reason: null },
        { at: min(90), kind: "operator", action: "kill_switch_off", reason: null },
      ],
      async (beat) => void seen.push({ beat, at: clock.now().getTime() }),
    );
    await clock.sleep(30 * 60_000);
    expect(seen.map((s) => s.at)).toEqual([min(10)]);
    expect(clock.now().getTime()).toBe(min(30));
    expect(await clock.playNext()).toBe(true);
    expect(seen.map((s) => s.at)).toEqual([min(10), min(90)]);
    expect(await clock.playNext()).toBe(false);
  });

  it("never moves back for a beat whose time has passed", async () => {
    const clock = new BeatClock({ start: new Date(min(50)) });
    const at: number[] = [];
    clock.schedule([{ at: min(20), kind: "alert", index: 0, status: "firing" }], async () => void at.push(clock.now().getTime()));
    await clock.playNext();
    expect(at).toEqual([min(50)]);
  });
});

describe("AfterToolHandler", () => {
  it("plays a tool's beats once, when its first call ends, and ignores other tools", async () => {
    const played: Beat[] = [];
    const beat: Beat = { kind: "operator", action: "kill_switch_on", reason: null };
    const handler = new AfterToolHandler(new Map([["h2o_train_model", [beat]]]), async (b) => void played.push(b));
    handler.handleToolStart({} as never, "{}", "run-1", undefined, undefined, undefined, "dvc_augment_dataset");
    await handler.handleToolEnd("ok", "run-1");
    expect(played).toEqual([]);
    handler.handleToolStart({} as never, "{}", "run-2", undefined, undefined, undefined, "h2o_train_model");
    await handler.handleToolError(new Error("boom"), "run-2");
    handler.handleToolStart({} as never, "{}", "run-3", undefined, undefined, undefined, "h2o_train_model");
    await handler.handleToolEnd("ok", "run-3");
    expect(played).toEqual([beat]);
    expect(handler.awaitHandlers).toBe(true);
  });
});
