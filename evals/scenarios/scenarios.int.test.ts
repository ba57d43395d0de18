import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TRIGGER_CONTRACT, isSignal, isTriggered, type Signal } from "../../core/index.js";
import { listScenarios, loadScenario } from "../sandbox/scenario-files.js";
import { argoOperation, h2oForm, importCsv, rankingRows, registerVersion, startSandbox, trainModel, values, writeCsv, type RunningSandbox } from "../sandbox/test-support.js";

/**
 * The shipped scenarios play out in the world the way their descriptions say when an operator
 * follows the trigger contract by hand through the sandbox's APIs: each alert is true when it
 * fires, and the remedy the contract prescribes passes its gate, its A/B test and its watch.
 */

const CONTRACT = DEFAULT_TRIGGER_CONTRACT;
const TOPICS = ["electronics", "books", "fashion", "home", "sports", "travel"];
const dir = mkdtempSync(join(tmpdir(), "scenarios-test-"));
let s: RunningSandbox;

beforeAll(() => {
  writeCsv(join(dir, "base.csv"), rankingRows({ topics: TOPICS, queries: 2, source: "base", prefix: "b" }));
  writeCsv(join(dir, "eval.csv"), rankingRows({ topics: TOPICS, queries: 20, source: "base", prefix: "e" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => s?.close());

type Row = { labels: Record<string, string>; value: number };

async function instant(expr: string): Promise<Row[]> {
  const { body } = await s.json(`/prometheus/api/v1/query?query=${encodeURIComponent(expr)}`);
  return body.data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

/** The value of a service-level series, preferring variant="all" (what the tools read). */
async function one(expr: string): Promise<number> {
  const rows = await instant(expr);
  const row = rows.find((r) => r.labels.variant === "all") ?? rows[0];
  if (!row) throw new Error(`no sample for ${expr}`);
  return row.value;
}

/** Every one-minute sample of `expr` from `startMs` to now. */
async function since(expr: string, startMs: number): Promise<number[]> {
  const params = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(s.clock.now().getTime() / 1000), step: "60" });
  const { body } = await s.json(`/prometheus/api/v1/query_range?${params}`);
  return body.data.result.flatMap((r: { values: [number, string][] }) => r.values.map(([, v]) => Number(v)));
}

/** Whether the signal's trigger rule holds now, read from the series the contract names. */
async function triggered(signal: Signal): Promise<boolean> {
  const c = CONTRACT.signals[signal];
  const value = await one(`${c.metric}{service="search",variant=~"all|"}`);
  const baseline = c.baselineMetric ? await one(`${c.baselineMetric}{service="search"}`) : undefined;
  return isTriggered(c.trigger, value, baseline);
}

/** Segments of `metric` by `by` that moved more than `fraction` the wrong way from their baseline. */
async function weak(metric: string, by: string, fraction: number, lowerIsBetter: boolean): Promise<string[]> {
  const [name, ...rest] = metric.split(":");
  const live = await instant(`${name}_${by}:${rest.join(":")}{service="search"}`);
  const base = new Map((await instant(`${name}_${by}:${rest.join(":")}:baseline{service="search"}`)).map((r) => [r.labels[by], r.value]));
  return live
    .filter((r) => {
      const change = r.value / base.get(r.labels[by])! - 1;
      return lowerIsBetter ? change >= fraction : change <= -fraction;
    })
    .map((r) => r.labels[by]!)
    .sort();
}

/** Trains a gbm on base rows plus 240 augmented rows on each of `augment`, and registers it; returns its version. */
async function trainCandidate(key: string, ntrees: number, maxDepth: number, augment: string[] = []): Promise<string> {
  const file = join(dir, `${key}.csv`);
  const augmented = augment.length ? rankingRows({ topics: augment, queries: 8, source: "augmented", prefix: `a-${key}` }) : [];
  writeCsv(file, [...rankingRows({ topics: TOPICS, queries: 2, source: "base", prefix: "b" }), ...augmented]);
  await importCsv(s, file, `${key}.hex`);
  const job = await trainModel(s, `${key}.hex`, key, ntrees, maxDepth);
  expect(job.status).toBe("DONE");
  return registerVersion(s, key);
}

/** Offline NDCG@10 and recall@20 (label >= 2 relevant) of a model on eval.csv, computed here independently of the sandbox. */
async function offline(model: string): Promise<{ ndcg: number; recall: number }> {
  if (!(await s.json("/h2o/3/Frames/eval.hex")).body.frames) await importCsv(s, join(dir, "eval.csv"), "eval.hex");
  const rows = 6 * 20 * 30;
  const predicted = await h2oForm(s, `Predictions/models/${model}/frames/eval.hex`, { predictions_frame: `pred_${model}` });
  expect(predicted.status).toBe(200);
  const column = async (frame: string, label: string) => {
    const { body } = await s.json(`/h2o/3/Frames/${encodeURIComponent(frame)}?row_count=${rows}`);
    const col = body.frames[0].columns.find((c: { label: string }) => c.label === label);
    return (col.type === "enum" ? col.data.map((i: number) => col.domain[i]) : (col.string_data ?? col.data)) as (string | number)[];
  };
  const queries = (await column("eval.hex", "query_id")).map(String);
  const labels = (await column("eval.hex", "label")).map(Number);
  const scores = (await column(`pred_${model}`, "predict")).map(Number);
  const byQuery = new Map<string, number[]>();
  queries.forEach((q, i) => byQuery.set(q, [...(byQuery.get(q) ?? []), i]));
  const dcg = (ls: number[]) => ls.slice(0, 10).reduce((sum, l, r) => sum + (2 ** l - 1) / Math.log2(r + 2), 0);
  const ndcgs: number[] = [];
  const recalls: number[] = [];
  for (const rowsOf of byQuery.values()) {
    const ranked = [...rowsOf].sort((a, b) => scores[b]! - scores[a]! || a - b).map((i) => labels[i]!);
    const ideal = dcg([...ranked].sort((a, b) => b - a));
    if (ideal > 0) ndcgs.push(dcg(ranked) / ideal);
    const relevant = ranked.filter((l) => l >= 2).length;
    if (relevant > 0) recalls.push(ranked.slice(0, 20).filter((l) => l >= 2).length / relevant);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { ndcg: mean(ndcgs), recall: mean(recalls) };
}

/** Runs a 20 % canary of `version` for the contract's A/B window; returns champion and candidate means of each metric. */
async function abTest(version: string, metrics: string[]): Promise<Record<string, { champion: number; candidate: number }>> {
  s.gitops.set("canary", values("search-reranker", "1", { version, weight: CONTRACT.abTrafficPercent }));
  await argoOperation(s, "sync", { revision: "canary" });
  const start = s.clock.now().getTime();
  s.clock.advance(CONTRACT.abMinutes * 60_000);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out: Record<string, { champion: number; candidate: number }> = {};
  for (const metric of metrics) {
    out[metric] = {
      champion: mean(await since(`${metric}{service="search",variant="champion"}`, start)),
      candidate: mean(await since(`${metric}{service="search",variant="candidate"}`, start)),
    };
  }
  return out;
}

/** Deploys `revision`, watches for the contract's window, and returns the pre-deploy values of `metric` and NDCG@10 and what every watched series did. */
async function deployAndWatch(revision: string, metric: string): Promise<{ pre: number; preNdcg: number; signal: number[]; p95: number[]; errors: number[]; ndcg: number[] }> {
  s.clock.advance(60_000);
  const pre = await one(`${metric}{service="search",variant=~"all|"}`);
  const preNdcg = await one('search:ndcg_at_10{service="search",variant="all"}');
  await argoOperation(s, "sync", { revision });
  const start = s.clock.now().getTime();
  s.clock.advance(CONTRACT.watchMinutes * 60_000);
  const all = (m: string) => since(`${m}{service="search",variant=~"all|"}`, start);
  return { pre, preNdcg, signal: await all(metric), p95: await all("search:latency_p95_seconds"), errors: await all("search:error_rate"), ndcg: await all("search:ndcg_at_10") };
}

/** The guardrails hold on every sample of a watch. */
function expectGuardrails(watched: { p95: number[]; errors: number[] }): void {
  expect(watched.p95.length).toBeGreaterThanOrEqual(CONTRACT.watchMinutes);
  expect(Math.max(...watched.p95)).toBeLessThan(1.0);
  expect(Math.max(...watched.errors)).toBeLessThan(0.02);
}

describe("every shipped scenario", () => {
  it.each(listScenarios())("%s raises alerts whose signal label names a signal that is healthy at start and triggered when the alert fires", async (name) => {
    const scenario = loadScenario(name);
    expect(scenario.alerts.length).toBeGreaterThan(0);
    // The world's series, not its faults: a scenario may take Prometheus down when its alert fires.
    s = await startSandbox({ ...scenario, faults: [] });
    // Firing alerts about the world's own service; a resolved notice or an alert for a service the
    // autopilot does not manage is noise the scenario sends on purpose.
    const firing = [...scenario.alerts.entries()].filter(([, a]) => a.status !== "resolved" && !a.unmanaged_service);
    for (const [, alert] of firing) {
      expect(isSignal(alert.labels.signal), `${name}: signal label ${alert.labels.signal}`).toBe(true);
      expect(await triggered(alert.labels.signal as Signal), `${name}: ${alert.labels.signal} at start`).toBe(false);
    }
    // A scenario that expects nothing to be done sends a stale or false alert: its signal need not breach.
    const outcomes = [scenario.expect.outcome].flat();
    const falseAlarm = outcomes.length > 0 && outcomes.every((o) => o === "no_action");
    for (const [index, alert] of firing) {
      expect(alert.labels.service).toBe(scenario.service);
      s.sandbox.advanceToAlert(index);
      if (!falseAlarm) expect(await triggered(alert.labels.signal as Signal), `${name}: ${alert.labels.signal} when ${alert.labels.alertname} fires`).toBe(true);
    }
  });
});

describe("the remedy the contract prescribes", () => {
  it("recall-drop: augmenting the weak topics and fine-tuning loses no recall, stays within budget, wins the A/B test and holds", async () => {
    s = await startSandbox("recall-drop");
    s.sandbox.advanceToAlert(0);
    const weakTopics = await weak("search:recall_at_20", "topic", 0.05, false);
    expect(weakTopics).toEqual(["electronics", "fashion", "home"]);
    const version = await trainCandidate("recall_ft", 100, 6, weakTopics);
    const [candidate, champion] = [await offline("recall_ft"), await offline("search-reranker-v1")];
    expect(candidate.recall).toBeGreaterThanOrEqual(champion.recall);
    expect((await one('search:cost_budget_ratio{service="search"}')) * (600 / 600)).toBeLessThanOrEqual(1);

    const ab = await abTest(version, ["search:recall_at_20", "search:latency_p95_seconds", "search:error_rate"]);
    expect(ab["search:recall_at_20"]!.candidate).toBeGreaterThan(ab["search:recall_at_20"]!.champion * 1.005);
    expect(ab["search:latency_p95_seconds"]!.candidate).toBeLessThanOrEqual(ab["search:latency_p95_seconds"]!.champion * 1.1);
    expect(ab["search:error_rate"]!.candidate).toBeLessThanOrEqual(ab["search:error_rate"]!.champion * 1.1);

    s.gitops.set("promote", values("search-reranker", version));
    const watched = await deployAndWatch("promote", "search:recall_at_20");
    expect(Math.min(...watched.signal)).toBeGreaterThanOrEqual(watched.pre * 0.98);
    expectGuardrails(watched);
  });

  it("latency-spike: a gbm of 50 trees of depth 4 passes the latency gate, wins the A/B test on p95 and keeps p95 under 1 s", async () => {
    s = await startSandbox("latency-spike");
    s.sandbox.advanceToAlert(0);
    const live = await one('search:latency_p95_seconds{service="search",variant=~"all|"}');
    expect(live).toBeGreaterThan(0.8);
    expect(live).toBeLessThan(1.0); // the champion is slow, not yet over the guardrail
    const version = await trainCandidate("lighter", 50, 4);
    const baseline = await one('search:latency_p95_seconds:baseline{service="search"}');
    expect(live * (200 / 600)).toBeLessThanOrEqual(baseline * 1.15); // the gate's estimate

    const ab = await abTest(version, ["search:latency_p95_seconds", "search:error_rate"]);
    const p95 = ab["search:latency_p95_seconds"]!;
    expect(p95.candidate).toBeLessThan(p95.champion * 0.995);
    expect(p95.candidate).toBeLessThanOrEqual(baseline * 1.15); // the world keeps the gate's promise
    expect(ab["search:error_rate"]!.candidate).toBeLessThanOrEqual(ab["search:error_rate"]!.champion);

    s.gitops.set("promote", values("search-reranker", version));
    const watched = await deployAndWatch("promote", "search:latency_p95_seconds");
    expect(Math.max(...watched.signal)).toBeLessThan(1.0);
    expectGuardrails(watched);
  });

  it("etl-backlog: embed is the one slow processor, and doubling its workers brings the backlog well under 60 s without touching quality", async () => {
    s = await startSandbox("etl-backlog");
    s.sandbox.advanceToAlert(0);
    expect(await weak("etl:backlog_seconds", "processor", 0.05, true)).toEqual(["embed"]);
    const state = (await s.json("/control/state")).body;
    expect(state.processors.embed.workers).toBe(4);

    s.gitops.set("scale", { ...values("search-reranker", "1"), processors: { embed: { workers: 8 } } });
    const watched = await deployAndWatch("scale", "etl:backlog_seconds");
    expect(Math.max(...watched.signal)).toBeLessThan(45);
    expect(Math.min(...watched.ndcg)).toBeGreaterThanOrEqual(watched.preNdcg * 0.99); // noise only, nothing lost
    expectGuardrails(watched);
  });

  it("cost-overrun: a gbm of 60 trees of depth 5 loses no offline NDCG and brings the cost well under budget", async () => {
    s = await startSandbox("cost-overrun");
    s.sandbox.advanceToAlert(0);
    const version = await trainCandidate("cheaper", 60, 5);
    const [candidate, champion] = [await offline("cheaper"), await offline("search-reranker-v1")];
    expect(candidate.ndcg).toBeGreaterThanOrEqual(champion.ndcg);

    s.gitops.set("promote", values("search-reranker", version));
    const watched = await deployAndWatch("promote", "search:cost_budget_ratio");
    expect(watched.pre).toBeGreaterThan(0.8);
    expect(Math.max(...watched.signal)).toBeLessThan(0.6);
    expect(Math.min(...watched.ndcg)).toBeGreaterThanOrEqual(watched.preNdcg * 0.99);
    expectGuardrails(watched);
  });

  it("satisfaction-drop: only the survey score moved, so there is nothing for a model to fix", async () => {
    s = await startSandbox("satisfaction-drop");
    s.sandbox.advanceToAlert(0);
    for (const signal of ["ndcg_drop", "recall_drop", "latency_p95", "etl_backlog", "cost"] as const) expect(await triggered(signal), signal).toBe(false);
    expect(CONTRACT.signals.nps.candidate).toBe("none");
    expect(await one('search:user_satisfaction{service="search"}')).toBeGreaterThan(3.5); // escalated, not rolled back
  });
});
