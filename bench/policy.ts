/**
 * `npm run bench:policy`: how fast the policy decision point decides, and what the whole gate
 * costs with its audit writes, on the embedded database and (with DATABASE_URL) on PostgreSQL.
 * Prints a table, then one JSON line last. Options: --decisions N (rounds over the request kinds),
 * --gate-calls N (calls per database).
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_POLICY_DIR, loadPolicyEngine } from "../policies/index.js";
import { ALL_TOOLS } from "../tools/index.js";
import { benchDecisions, DECISION_KINDS } from "./decisions.js";
import { benchGate, NOOP_TOOL, openPgliteBench, openPostgresBench, type BenchDatabase, type GateResults } from "./gate.js";
import { formatTable } from "./stats.js";

const TARGET_DECISION_P99_US = 150;
const TARGET_GATE_P99_MS = 5;

const { values } = parseArgs({
  options: {
    decisions: { type: "string", default: "20000" },
    "gate-calls": { type: "string", default: "2000" },
  },
});
const rounds = positive("decisions", values.decisions);
const gateCalls = positive("gate-calls", values["gate-calls"]);
const databaseUrl = process.env.DATABASE_URL;

const load = loadavg()[0] ?? 0;
console.log(`policy benchmark: node ${process.version}, ${availableParallelism()} CPUs, load average ${load.toFixed(2)} at start\n`);

const engine = await loadPolicyEngine(DEFAULT_POLICY_DIR, [...ALL_TOOLS, NOOP_TOOL]);
const decisions = benchDecisions(engine, DECISION_KINDS, rounds, Math.min(rounds, 5_000));
const us = (n: number) => n.toFixed(1);
console.log(`decision function (engine.decide), ${rounds} calls per kind after warm-up, µs`);
console.log(
  formatTable(
    ["kind", "outcome", "p50", "p99", "mean", "max", "decisions/s"],
    [
      ...decisions.kinds.map((k) => [k.name, k.outcome, us(k.latencyUs.p50), us(k.latencyUs.p99), us(k.latencyUs.mean), us(k.latencyUs.max), Math.round(k.perSecond).toString()]),
      ["all kinds", "", us(decisions.overall.latencyUs.p50), us(decisions.overall.latencyUs.p99), us(decisions.overall.latencyUs.mean), us(decisions.overall.latencyUs.max), Math.round(decisions.overall.perSecond).toString()],
    ],
  ),
);

const gates: Array<{ label: string; result: GateResults }> = [];
const opens: Array<() => Promise<BenchDatabase>> = [openPgliteBench];
if (databaseUrl) opens.push(() => openPostgresBench(databaseUrl));
for (const open of opens) {
  const bench = await open();
  try {
    gates.push({ label: bench.label, result: await benchGate(engine, bench.db, gateCalls, Math.min(gateCalls, 50)) });
  } finally {
    await bench.dispose();
  }
}
const ms = (n: number) => n.toFixed(2);
console.log(`\nwhole gate (gate.execute of an allowed write call: decision, audit row, no-op tool, result row), ${gateCalls} calls per database, ms`);
console.log(
  formatTable(
    ["database", "p50", "p90", "p99", "mean", "max", "calls/s", "GC pauses (n, ms)"],
    gates.map(({ label, result: r }) => [
      label,
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p90),
      ms(r.latencyMs.p99),
      ms(r.latencyMs.mean),
      ms(r.latencyMs.max),
      Math.round(r.perSecond).toString(),
      `${r.gc.count}, ${ms(r.gc.totalMs)}`,
    ]),
  ),
);
if (!databaseUrl) console.log("(PostgreSQL skipped: set DATABASE_URL to include it)");
for (const { label, result } of gates) {
  const accounted = result.ports.reduce((a, p) => a + p.meanMs, 0);
  const slowAccounted = result.ports.reduce((a, p) => a + (p.slowMeanMs ?? 0), 0);
  console.log(`\nwhere a gate call's time goes on ${label}: time inside each port per call, ms (the last column: the mean over the calls at or past the p99)`);
  console.log(
    formatTable(
      ["port method", "per call", "p50", "mean", "slowest 1%"],
      [
        ...result.ports.map((p) => [p.label, `${Number(p.perCall.toFixed(2))}x`, ms(p.p50Ms), ms(p.meanMs), ms(p.slowMeanMs ?? 0)]),
        // Reads that start together share one batched SELECT and each counts its time, so the sum can pass the call's.
        ["sum of the above", "", "", ms(accounted), ms(slowAccounted)],
        ["gate.execute", "1x", ms(result.latencyMs.p50), ms(result.latencyMs.mean), ms(result.slowMeanMs)],
      ],
    ),
  );
}

const pglite = gates.find((g) => g.label === "PGlite")?.result;
const postgres = gates.find((g) => g.label === "PostgreSQL")?.result;
const round1 = (n: number | undefined) => (n === undefined ? null : Math.round(n * 10) / 10);
const round2 = (n: number | undefined) => (n === undefined ? null : Math.round(n * 100) / 100);
console.log(
  `\ntargets: decision p99 < ${TARGET_DECISION_P99_US} µs (${decisions.overall.latencyUs.p99 < TARGET_DECISION_P99_US ? "met" : "missed"}), ` +
    `gate p99 on PostgreSQL < ${TARGET_GATE_P99_MS} ms (${postgres ? (postgres.latencyMs.p99 < TARGET_GATE_P99_MS ? "met" : "missed") : "not measured"})`,
);
console.log(
  JSON.stringify({
    decisions_per_s: Math.round(decisions.overall.perSecond),
    decision_p50_us: round1(decisions.overall.latencyUs.p50),
    decision_p99_us: round1(decisions.overall.latencyUs.p99),
    gate_p99_ms: round2(postgres?.latencyMs.p99),
    gate_p50_ms: round2(postgres?.latencyMs.p50),
    gate_p99_ms_pglite: round2(pglite?.latencyMs.p99),
    gate_p50_ms_pglite: round2(pglite?.latencyMs.p50),
    gate_ports_mean_ms: Object.fromEntries(gates.map(({ label, result }) => [label, Object.fromEntries(result.ports.map((p) => [p.label, round2(p.meanMs)]))])),
    decision_kinds: Object.fromEntries(decisions.kinds.map((k) => [k.name, { p50_us: round1(k.latencyUs.p50), p99_us: round1(k.latencyUs.p99), per_s: Math.round(k.perSecond) }])),
    decisions_per_kind: rounds,
    gate_calls: gateCalls,
    load_average: round2(load),
  }),
);

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} needs a positive integer, got "${text}"`);
    process.exit(2);
  }
  return n;
}
