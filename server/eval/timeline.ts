import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { SimulatedClock } from "../../core/index.js";
import { parseDuration, type Scenario } from "../../evals/sandbox/index.js";

/** One thing that happens to the autopilot while a scenario plays. */
export type Beat =
  | { kind: "alert"; index: number; status: "firing" | "resolved" }
  | { kind: "operator"; action: "kill_switch_on" | "kill_switch_off"; reason: string | null };

/** A beat at a simulated instant (ms since the epoch). */
export type TimedBeat = Beat & { at: number };

/** The scenario's beats: those at a time, in time order, and those right after a tool's first call, by tool. */
export interface Timeline {
  timed: TimedBeat[];
  afterTool: Map<string, Beat[]>;
}

/**
 * Every alert at its time (each repetition of a repeated one, a resolved one as resolved) and every
 * operator action of `timeline`. Beats at the same instant keep the file's order, alerts first.
 */
export function timelineOf(scenario: Scenario): Timeline {
  const start = Date.parse(scenario.start);
  const timed: TimedBeat[] = [];
  scenario.alerts.forEach((alert, index) => {
    const times = alert.repeat?.times ?? 1;
    const every = alert.repeat ? parseDuration(alert.repeat.every) : 0;
    for (let k = 0; k < times; k++) timed.push({ at: start + parseDuration(alert.at) + k * every, kind: "alert", index, status: alert.status ?? "firing" });
  });
  const afterTool = new Map<string, Beat[]>();
  for (const entry of scenario.timeline ?? []) {
    const beat: Beat = { kind: "operator", action: entry.action, reason: entry.reason ?? null };
    if (entry.at !== undefined) timed.push({ ...beat, at: start + parseDuration(entry.at) });
    else if (entry.after_tool !== undefined) afterTool.set(entry.after_tool, [...(afterTool.get(entry.after_tool) ?? []), beat]);
  }
  // Array.prototype.sort is stable: the file's order holds within an instant.
  return { timed: timed.sort((a, b) => a.at - b.at), afterTool };
}

/**
 * A simulated clock that stops at the scenario's timed beats. A tool waiting across a beat's time
 * (an A/B test, the post-deploy watch) waits until the beat has been played at its own time, so
 * an operator pulling the kill switch 40 minutes in does so in the middle of the cycle.
 */
export class BeatClock extends SimulatedClock {
  private pending: TimedBeat[] = [];
  private play: (beat: Beat) => Promise<void> = async () => {};
  private playing = false;

  /** Sets the beats still to come and how to play one. */
  schedule(beats: readonly TimedBeat[], play: (beat: Beat) => Promise<void>): void {
    this.pending = [...beats];
    this.play = play;
  }

  /** Moves to the next beat's time (never back) and plays it; false when none is left. */
  async playNext(): Promise<boolean> {
    const beat = this.pending.shift();
    if (!beat) return false;
    const wait = beat.at - this.now().getTime();
    if (wait > 0) this.advance(wait);
    this.playing = true;
    try {
      await this.play(beat);
    } finally {
      this.playing = false;
    }
    return true;
  }

  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const end = this.now().getTime() + Math.max(0, ms);
    // A beat's own work never plays further beats: they wait for the sleep that reaches them.
    while (!this.playing && this.pending[0] && this.pending[0].at <= end) await this.playNext();
    await super.sleep(Math.max(0, end - this.now().getTime()), signal);
  }
}

/**
 * Plays the beats due after a tool's first call once that call is over (denied, refused or run),
 * before the agents decide anything else: LangChain awaits this handler, so the next call already
 * sees, say, the kill switch on.
 */
export class AfterToolHandler extends BaseCallbackHandler {
  name = "eval-after-tool";
  private readonly running = new Map<string, string>();

  constructor(
    private readonly afterTool: Map<string, Beat[]>,
    private readonly play: (beat: Beat) => Promise<void>,
  ) {
    // Awaited, and deaf to all but tools (LangChain files tool callbacks under "agent").
    super({ _awaitHandler: true, ignoreLLM: true, ignoreChain: true, ignoreRetriever: true, ignoreCustomEvent: true });
  }

  override handleToolStart(_tool: unknown, _input: string, runId: string, _parent?: string, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string): void {
    if (runName && this.afterTool.has(runName)) this.running.set(runId, runName);
  }

  override async handleToolEnd(_output: unknown, runId: string): Promise<void> {
    await this.ended(runId);
  }

  override async handleToolError(_error: Error, runId: string): Promise<void> {
    await this.ended(runId);
  }

  private async ended(runId: string): Promise<void> {
    const tool = this.running.get(runId);
    if (!tool) return;
    this.running.delete(runId);
    const beats = this.afterTool.get(tool) ?? [];
    // Only the first call of the tool: later calls find nothing left to play.
    this.afterTool.delete(tool);
    for (const beat of beats) await this.play(beat);
  }
}
