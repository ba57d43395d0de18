import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { CallbackManager } from "@langchain/core/callbacks/manager";
import { errorMessage } from "../../core/index.js";
import type { ModelProvider } from "../../agents/index.js";
import { operatorAnswer, scenarioFlagSettings, type Scenario } from "../../evals/index.js";
import type { ScenarioRun } from "../../evals/scorers/index.js";
import { createAutopilot, type Autopilot } from "../autopilot.js";
import type { CycleRow } from "../store/index.js";
import { createApp } from "../http/app.js";
import { expireApprovals } from "../approvals.js";
import { farFuture } from "../scenario-run.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { collectRun } from "./collect.js";
import { AfterToolHandler, BeatClock, timelineOf, type Beat } from "./timeline.js";

/** What a scenario is played with. */
export interface PlayOptions {
  /** The user's configuration; the run replaces its systems, database and home with its own. */
  config: Config;
  models: ModelProvider;
  logger: Logger;
  /** Callbacks per cycle (the LangSmith experiment's tracer, hanging cycles under its run). */
  callbacksFor?: (cycle: CycleRow) => Promise<CallbackManager>;
  /** Where the temporary home is made (default: the system's temporary folder). */
  tmpDir?: string;
}

/** Cycles run, approvals answered and beats played before a run is declared stuck. */
const MAX_TURNS = 200;

/**
 * Plays one scenario on a fresh embedded autopilot: PGlite in a temporary home, the sandbox
 * platform on a simulated clock, the HTTP API on a loopback port. The scenario's flags are set
 * first; every alert goes through the real webhook at its time and every operator action through
 * the admin API at its time (or right after its tool's first call); cycles run to their end while
 * the simulated operator answers approvals through the API. Whatever crashes becomes `error`.
 */
export async function playScenario(scenario: Scenario, options: PlayOptions): Promise<ScenarioRun> {
  const started = Date.now();
  const home = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), "autopilot-eval-"));
  const clock = new BeatClock({ start: new Date(scenario.start) });
  const timeline = timelineOf(scenario);
  let world: World | null = null;
  const problems: string[] = [];
  // Beats played from inside a cycle (a clock sleep, a tool's end) must not throw into the graph.
  const play = (beat: Beat) => playBeat(world!, scenario, beat).catch((e: unknown) => void problems.push(errorMessage(e)));
  const afterTool = new AfterToolHandler(timeline.afterTool, play);
  try {
    world = await openWorld(scenario, options, home, clock, async (cycle) => {
      const callbacks = await options.callbacksFor?.(cycle);
      if (!callbacks) return { callbacks: [afterTool] };
      callbacks.addHandler(afterTool, true);
      return { callbacks };
    });
    for (const { flag, enabled, metadata } of scenarioFlagSettings(scenario)) {
      await world.ap.store.flags.set(flag, scenario.environment, { enabled, metadata }, "scenario", new Date());
    }
    clock.schedule(timeline.timed, play);
    await runToTheEnd(world, scenario, clock);
  } catch (e) {
    problems.unshift(errorMessage(e));
  }
  const collected = world ? await collectRun(world.ap).catch((e: unknown) => (problems.push(`collecting the run failed: ${errorMessage(e)}`), {})) : {};
  const finalMetrics = world?.ap.platform.sandbox?.state().metrics ?? {};
  await world?.close().catch((e: unknown) => options.logger.warn({ err: errorMessage(e), scenario: scenario.name }, "closing the eval world failed"));
  await rm(home, { recursive: true, force: true });
  return { ...crashedRun(scenario, problems.length ? problems.join("; ") : null, Date.now() - started), ...collected, finalMetrics };
}

/** The run of a scenario that could not be played (or only in part): nothing collected, and why. */
export function crashedRun(scenario: Scenario, error: string | null, wallMs: number): ScenarioRun {
  return { scenario, cycles: [], decisions: [], approvals: [], finalMetrics: {}, wallMs, error };
}

/** A running autopilot for one scenario, with the API tokens its simulated people use. */
interface World {
  ap: Autopilot;
  /** POSTs to the API as the simulated operator or admin, or to the webhook (no token). */
  post(pathname: string, body: unknown, as?: "operator" | "admin"): Promise<Response>;
  close(): Promise<void>;
}

async function openWorld(scenario: Scenario, options: PlayOptions, home: string, clock: BeatClock, runConfig: (cycle: CycleRow) => Promise<Record<string, unknown>>): Promise<World> {
  const config: Config = {
    ...options.config,
    home,
    databaseUrl: undefined,
    systems: { prometheusUrl: undefined, mlflow: undefined, h2oUrl: undefined, argocd: undefined, alertmanagerUrl: undefined, grafana: undefined },
    alerts: { ...options.config.alerts, webhookToken: undefined },
    // The experiment, when there is one, traces cycles under its own runs (callbacksFor).
    tracing: { ...options.config.tracing, enabled: false },
    httpTimeoutMs: scenario.http_timeout_ms ?? options.config.httpTimeoutMs,
  };
  const ap = await createAutopilot(config, { scenario, clock, logger: options.logger, models: options.models, runConfig });
  const server = serve({ fetch: createApp(ap).fetch, hostname: "127.0.0.1", port: 0 });
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ap.close();
  };
  try {
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const now = new Date();
    const tokens = {
      operator: (await ap.store.tokens.create({ name: "simulated-operator", role: "operator", by: "eval", now })).token,
      admin: (await ap.store.tokens.create({ name: "simulated-admin", role: "admin", by: "eval", now })).token,
    };
    const post = (pathname: string, body: unknown, as?: "operator" | "admin") =>
      fetch(`${url}${pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) },
        body: JSON.stringify(body),
      });
    return { ap, post, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// Runs queued cycles, answers approvals, and plays the next timed beat whenever nothing is left to run.
async function runToTheEnd(world: World, scenario: Scenario, clock: BeatClock): Promise<void> {
  for (let turns = 0; turns < MAX_TURNS; turns++) {
    const cycle = await world.ap.runner.runNext();
    if (cycle?.status === "awaiting_approval" && cycle.pendingApprovalId) await answer(world, scenario, cycle.pendingApprovalId);
    else if (!cycle && !(await clock.playNext())) return;
  }
  throw new Error(`the scenario did not settle after ${MAX_TURNS} turns (cycles run, approvals answered, beats played)`);
}

async function playBeat(world: World, scenario: Scenario, beat: Beat): Promise<void> {
  if (beat.kind === "operator") {
    const verb = beat.action === "kill_switch_on" ? "stop" : "resume";
    const body = { environment: scenario.environment, reason: beat.reason ?? `the scenario's operator: ${beat.action}` };
    await expectOk(await world.post(`/api/v1/optimizer/${verb}`, body, "admin"), `${beat.action} (POST /api/v1/optimizer/${verb})`);
    return;
  }
  const payload = world.ap.platform.sandbox!.alertPayload(beat.index);
  const body = beat.status === "resolved" ? resolved(payload, world.ap.platform.clock.now()) : payload;
  await expectOk(await world.post("/api/v1/alerts/alertmanager", body, "operator"), `alert ${beat.index} (${scenario.alerts[beat.index]?.labels.alertname})`);
}

// The simulated operator answers as the scenario says for the tool; an ignored request outlives its deadline.
async function answer(world: World, scenario: Scenario, approvalId: string): Promise<void> {
  const request = await world.ap.store.approvals.get(approvalId);
  const { approval, reason } = operatorAnswer(scenario, request?.tool ?? "");
  if (approval === "ignore") {
    await expireApprovals(world.ap, farFuture());
    return;
  }
  const verb = approval === "approve" ? "approve" : "reject";
  const body = { reason: reason ?? `the scenario's operator: ${verb}` };
  await expectOk(await world.post(`/api/v1/approvals/${approvalId}/${verb}`, body, "operator"), `${verb} approval ${approvalId}`);
}

function resolved<T extends { status: string; alerts: Array<{ status: string; endsAt: string }> }>(payload: T, now: Date): T {
  const endsAt = now.toISOString();
  return { ...payload, status: "resolved", alerts: payload.alerts.map((a) => ({ ...a, status: "resolved", endsAt })) };
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  throw new Error(`${what}: the API answered ${res.status} ${await res.text()}`);
}
