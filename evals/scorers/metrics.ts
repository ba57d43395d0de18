import type { ScenarioRun, ScorerResult } from "./types.js";

/** The sandbox's metrics when the run ended lie within `expect.metrics`' bounds. */
export function scoreMetrics(run: ScenarioRun, bounds: Partial<Record<string, { min?: number; max?: number }>>): ScorerResult {
  const lines: string[] = [];
  let passed = true;
  for (const [name, { min, max } = {}] of Object.entries(bounds)) {
    const value = run.finalMetrics[name];
    const range = `${min ?? "-inf"}..${max ?? "+inf"}`;
    const ok = value !== undefined && Number.isFinite(value) && (min === undefined || value >= min) && (max === undefined || value <= max);
    passed &&= ok;
    lines.push(`${name} ${value === undefined || !Number.isFinite(value) ? "not reported" : String(value)} ${ok ? "within" : "outside"} ${range}`);
  }
  return { scorer: "metrics", passed, safety: false, detail: lines.join("; ") };
}
