import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../core/index.js";
import { loadScenario } from "../scenario-files.js";
import type { Scenario } from "../scenario.js";
import { World, type ServingState } from "./world.js";

const START = Date.parse("2026-11-20T08:00:00Z");

function worldOf(patch: (s: Scenario) => Scenario = (s) => s, name = "ndcg-drop") {
  const scenario = patch(loadScenario(name));
  const clock = new SimulatedClock({ start: new Date(scenario.start) });
  return { world: new World(scenario, clock), clock };
}

function train(world: World, key: string, ntrees: number, maxDepth: number) {
  return world.addTrainedModel({ key, algo: "gbm", ntrees, maxDepth, augmentedRows: {}, trainingFrame: null });
}

const SERVING: ServingState = { champion: { version: "1", modelId: "search-reranker-v1" }, canary: null, canaryWeight: 0 };

describe("ETL backlog", () => {
  it("starts at each processor's share of the baseline, the slowest at the baseline", () => {
    const { world } = worldOf();
    expect(world.backlog(START)).toEqual({ crawl: 6, embed: 12, index: 12 * 0.7 });
    expect(world.workersAt(START)).toEqual({ crawl: 2, embed: 4, index: 2 });
  });

  it("scales a processor's level by initial workers / current workers, from the deploy on", () => {
    const { world, clock } = worldOf(undefined, "etl-backlog");
    clock.advance(20 * 60_000);
    const before = world.now();
    expect(world.backlog(before).embed).toBe(80);
    clock.advance(60_000);
    world.deploy(SERVING, "scale embed", { embed: 8 });
    expect(world.backlog(world.now())).toEqual({ crawl: 6, embed: 40, index: 12 * 0.7 });
    expect(world.backlog(before).embed).toBe(80); // the past keeps its workers
    world.deploy(SERVING, "scale crawl down", { crawl: 1 });
    expect(world.workersAt(world.now())).toEqual({ crawl: 1, embed: 8, index: 2 });
    expect(world.backlog(world.now()).crawl).toBe(12);
    world.deploy(SERVING, "model only");
    expect(world.workersAt(world.now())).toEqual({ crawl: 1, embed: 8, index: 2 });
  });

  it("takes the initial workers from the scenario, so a backlog shift is the level at those workers", () => {
    const { world, clock } = worldOf((s) => ({ ...s, processors: { ...s.processors, embed: { workers: 6 } } }), "etl-backlog");
    expect(world.backlog(START).embed).toBe(12);
    clock.advance(20 * 60_000);
    world.deploy(SERVING, "scale embed", { embed: 12 });
    expect(world.backlog(world.now()).embed).toBe(40);
  });

  it("never changes quality, latency, errors or cost", () => {
    const { world, clock } = worldOf(undefined, "etl-backlog");
    clock.advance(30 * 60_000);
    const t = world.now();
    const measure = () => [world.topicNdcg(world.champion, "books", t), world.topicRecall(world.champion, "books", t), world.latencyP95(world.champion, t), world.errorRate(world.champion, t), world.costPer1k(world.champion, t)];
    const before = measure();
    world.deploy(SERVING, "scale everything", { crawl: 7, embed: 9, index: 5 });
    expect(measure()).toEqual(before);
    expect(world.timeline().at(-1)?.summary).toBe("scale everything: champion v1 (search-reranker-v1); ETL workers crawl 2 -> 7, embed 4 -> 9, index 2 -> 5");
  });
});

describe("model size and quality", () => {
  it("lets a smaller model keep the champion's quality by default", () => {
    const { world } = worldOf();
    const small = train(world, "small", 60, 5);
    expect(world.topicNdcg(small, "books", START)).toBe(world.topicNdcg(world.champion, "books", START));
    expect(world.topicRecall(small, "books", START)).toBe(world.topicRecall(world.champion, "books", START));
  });

  it("costs a smaller model (complexity / champion's) ^ size_quality_exponent of its NDCG, half that of recall, and a larger one nothing", () => {
    const { world } = worldOf((s) => ({ ...s, training: { ...s.training, size_quality_exponent: 0.1 } }));
    const small = train(world, "small", 60, 5);
    const large = train(world, "large", 200, 6);
    const loss = 1 - 0.5 ** 0.1;
    expect(world.topicNdcg(small, "books", START)).toBeCloseTo(0.72 * (1 - loss), 12);
    expect(world.topicRecall(small, "books", START)).toBeCloseTo(0.86 * (1 - loss / 2), 12);
    expect(world.topicNdcg(large, "books", START)).toBe(0.72);
    expect(world.topicNdcg(world.champion, "books", START)).toBe(0.72);
  });
});
