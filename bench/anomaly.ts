/**
 * `npm run bench:anomaly`: how fast the anomaly detector scores, in ONNX Runtime and in the plain
 * TypeScript reference, measured in the same run on the same feature rows at batch sizes 1, 100 and
 * 10,000 (a batch is one window scored in one call), and how long training takes on 10k and 100k
 * points. Prints tables, then one JSON line last. Options: --threads N (ONNX Runtime intra-op
 * threads, default every core), --rounds N (scales the calls per batch size, default 1).
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { anomalyModelToOnnx, createOnnxScorer, extractFeatures, scoreReference, syntheticMetricSeries, trainAnomalyModel } from "../tools/anomaly/index.js";
import { elapsedUs, formatTable, summarize, type Summary } from "./stats.js";

const TARGET_RATIO = 5;
const BATCHES = [
  { size: 1, calls: 4_000 },
  { size: 100, calls: 1_000 },
  { size: 10_000, calls: 40 },
];
// Both scorers run in alternating blocks, so load from elsewhere on the machine falls on both alike.
const BLOCKS = 4;

const { values } = parseArgs({ options: { threads: { type: "string", default: String(availableParallelism()) }, rounds: { type: "string", default: "1" } } });
const threads = positive("threads", values.threads);
const rounds = positive("rounds", values.rounds);

const loadAtStart = loadavg()[0] ?? 0;
console.log(`anomaly benchmark: node ${process.version}, ${availableParallelism()} CPUs, load average ${loadAtStart.toFixed(2)} at start, ONNX Runtime intra-op threads ${threads}\n`);

const timedTraining = (points: number) => {
  const history = syntheticMetricSeries({ length: points, seed: 1 });
  const start = process.hrtime.bigint();
  const trained = trainAnomalyModel(history, { seed: 1 });
  return { points, ms: elapsedUs(start) / 1000, nodes: trained.forest.feature.length, model: trained };
};
const training = [timedTraining(10_000), timedTraining(100_000)];
const model = training[0]!.model; // the model scored below: trained on 10k points
console.log("training (features, 100 trees of ψ = 256, threshold calibration, drift profile), one run each");
console.log(formatTable(["points", "ms", "tree nodes"], training.map((t) => [String(t.points), t.ms.toFixed(0), String(t.nodes)])));

// Rows of an unseen series, long enough that consecutive batches of 10,000 read different rows.
const rows = extractFeatures(syntheticMetricSeries({ length: 200_000, seed: 2, spikes: { 50_000: 3, 150_000: -3 } }), model.features).rows;
const width = model.forest.featureCount;
const totalRows = rows.length / width;

/** A way of scoring a batch of feature rows, timed call by call. */
interface Contestant {
  name: string;
  score: (batch: Float32Array) => unknown;
  close?: () => Promise<void>;
}
const onnx = await createOnnxScorer(anomalyModelToOnnx(model), { intraOpNumThreads: threads });
const contestants: Contestant[] = [
  { name: `ONNX Runtime, ${threads} thread${threads === 1 ? "" : "s"}`, score: (batch) => onnx.score(batch), close: () => onnx.close() },
  { name: "TS reference", score: (batch) => scoreReference(model, batch) },
];
if (threads > 1) {
  // Context for reading the figures: ONNX Runtime on one core shows how much the threads add.
  const single = await createOnnxScorer(anomalyModelToOnnx(model), { intraOpNumThreads: 1 });
  contestants.push({ name: "ONNX Runtime, 1 thread", score: (batch) => single.score(batch), close: () => single.close() });
}

interface Measured {
  latencyMs: Summary;
  pointsPerSecond: number;
}
const results: Array<{ size: number; measured: Measured[] }> = [];
try {
  for (const { size, calls: baseCalls } of BATCHES) {
    const calls = baseCalls * rounds;
    const batch = (k: number) => {
      const from = ((k * size) % (totalRows - size + 1)) * width;
      return rows.subarray(from, from + size * width);
    };
    const latencies = contestants.map(() => [] as number[]);
    for (let k = 0; k < Math.max(3, calls / 10); k++) for (const c of contestants) await c.score(batch(k));
    for (let block = 0; block < BLOCKS; block++) {
      for (const [i, contestant] of contestants.entries()) {
        for (let k = block * (calls / BLOCKS); k < (block + 1) * (calls / BLOCKS); k++) {
          const start = process.hrtime.bigint();
          await contestant.score(batch(k));
          latencies[i]!.push(elapsedUs(start) / 1000);
        }
      }
    }
    results.push({ size, measured: latencies.map((l) => measured(l, size)) });
  }
} finally {
  for (const c of contestants) await c.close?.();
}

const ms = (n: number) => (n < 1 ? n.toFixed(3) : n.toFixed(2));
console.log(`\nscoring (feature rows in, scores out; 100 trees), latency per window in ms, throughput in points/s; ratio against the TS reference`);
console.log(
  formatTable(
    ["batch", "scorer", "calls", "p50", "p99", "max", "points/s", "ratio"],
    results.flatMap(({ size, measured }) =>
      measured.map((m, i) => [String(size), contestants[i]!.name, String(m.latencyMs.count), ms(m.latencyMs.p50), ms(m.latencyMs.p99), ms(m.latencyMs.max), Math.round(m.pointsPerSecond).toString(), `${(m.pointsPerSecond / measured[1]!.pointsPerSecond).toFixed(2)}x`]),
    ),
  ),
);

const [largeOnnx, largeReference] = results.find((r) => r.size === 10_000)!.measured as [Measured, Measured];
const ratio = largeOnnx.pointsPerSecond / largeReference.pointsPerSecond;
const loadAtEnd = loadavg()[0] ?? 0;
console.log(`\ntarget: ONNX at least ${TARGET_RATIO}x the reference's throughput at batch 10,000: ${ratio.toFixed(2)}x (${ratio >= TARGET_RATIO ? "met" : "missed"}); load average ${loadAtEnd.toFixed(2)} at the end`);
const round2 = (n: number) => Math.round(n * 100) / 100;
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
console.log(
  JSON.stringify({
    onnx_points_per_s: Math.round(largeOnnx.pointsPerSecond),
    reference_points_per_s: Math.round(largeReference.pointsPerSecond),
    ratio: round2(ratio),
    onnx_p99_ms: round2(largeOnnx.latencyMs.p99),
    reference_p99_ms: round2(largeReference.latencyMs.p99),
    batches: Object.fromEntries(
      results.map(({ size, measured: [o, r, single] }) => [
        size,
        {
          onnx_points_per_s: Math.round(o!.pointsPerSecond),
          reference_points_per_s: Math.round(r!.pointsPerSecond),
          onnx_p99_ms: round4(o!.latencyMs.p99),
          reference_p99_ms: round4(r!.latencyMs.p99),
          ...(single ? { onnx_1_thread_points_per_s: Math.round(single.pointsPerSecond) } : {}),
        },
      ]),
    ),
    train_ms_10k: Math.round(training[0]!.ms),
    train_ms_100k: Math.round(training[1]!.ms),
    onnx_threads: threads,
    load_average: round2(loadAtStart),
  }),
);

function measured(latenciesMs: number[], size: number): Measured {
  const totalMs = latenciesMs.reduce((a, b) => a + b, 0);
  return { latencyMs: summarize(latenciesMs), pointsPerSecond: (latenciesMs.length * size) / (totalMs / 1000) };
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (Number.isInteger(n) && n > 0) return n;
  throw new RangeError(`--${name} needs a positive integer, got "${text}"`);
}
