import { z } from "zod";
import type { DatasetFinding } from "../../core/index.js";
import { injectAnomalies } from "../anomaly/index.js";
import { detectorModelName } from "../mlflow/detector-store.js";
import { errorOutcome } from "../outcome.js";
import { fetchSeries } from "../prometheus/detect-anomalies.js";
import { selector, serviceField, signalField, ALL_VARIANTS, signalContract } from "../prometheus/tool-support.js";
import { defineTool, type ToolOutcome } from "../tool.js";

/** Share of the snapshot, at its end, kept out of training to evaluate on. */
const HOLDOUT_FRACTION = 0.25;
const MIN_TRAIN_POINTS = 200;

/**
 * `dvc_snapshot_series`: the training data of a series' anomaly detector, as a DVC-tracked dataset.
 * It reads the recent history of the series from Prometheus, keeps the normal part for training
 * (points the serving detector flags are left out), and turns the last quarter into a labelled
 * evaluation set by injecting anomalies of known kinds at known places.
 */
export const snapshotSeriesTool = defineTool({
  name: "dvc_snapshot_series",
  system: "dvc",
  title: "Snapshot a series as a detector dataset",
  description:
    "Reads the last `days` of a series (series_signal of service) from Prometheus and writes datasets/<detector model>/ as a new DVC-tracked version: train.csv (normal history, " +
    `points the serving detector flags left out), holdout.csv (the last ${HOLDOUT_FRACTION * 100}% with anomalies injected) and labels.json (their windows). ` +
    "The same data and seed give the same dataset md5.",
  input: z.object({
    series_signal: signalField.describe("The contract signal whose series the detector watches"),
    service: serviceField,
    days: z.number().min(0.25).max(30).default(7).describe("How much history to read, ending now"),
    step_seconds: z.int().min(15).max(3_600).default(300).describe("Resolution of the snapshot in seconds"),
    seed: z.int().default(1).describe("Seed of the anomaly injection"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  finding: "dataset",
  timeoutMs: 180_000,
  async run(args, ctx): Promise<ToolOutcome<DatasetFinding>> {
    const series = `${args.service}:${args.series_signal}`;
    const name = detectorModelName(series);
    try {
      const end = ctx.clock.now();
      const start = new Date(end.getTime() - args.days * 86_400_000);
      const query = selector(signalContract(ctx, args.series_signal).metric, args.service, ALL_VARIANTS);
      const samples = await fetchSeries(ctx, query, start, end, args.step_seconds);
      if (typeof samples === "string") return { status: "error", summary: samples, error: { code: "no_series", system: "prometheus", message: samples, retryable: false } };
      const cut = Math.floor(samples.length * (1 - HOLDOUT_FRACTION));
      const history = samples.slice(0, cut);
      const flagged = await ctx.clients.detectors.use(series, async (served) => new Set(served ? (await served.detector.detect(history.map((s) => s.value))).flagged : []), ctx.signal);
      const train = history.filter((_, i) => !flagged.has(i));
      if (train.length < MIN_TRAIN_POINTS) {
        const message = `${query} has ${train.length} normal points in the last ${args.days} days at ${args.step_seconds} s; a detector needs at least ${MIN_TRAIN_POINTS}: read more days or a finer step`;
        return { status: "error", summary: message, error: { code: "too_little_data", message, retryable: false } };
      }
      const holdout = samples.slice(cut);
      const labelled = injectAnomalies(holdout.map((s) => s.value), { seed: args.seed });
      const iso = (t: number) => new Date(t * 1000).toISOString();
      const csv = (rows: Array<[number, number]>) => `timestamp,value\n${rows.map(([t, v]) => `${iso(t)},${v}`).join("\n")}\n`;
      const relPath = `datasets/${name}`;
      await ctx.clients.dvc.writeDirectory(relPath, {
        "train.csv": csv(train.map((s) => [s.timestamp, s.value])),
        "holdout.csv": csv(holdout.map((s, i) => [s.timestamp, labelled.values[i]!])),
        "labels.json": `${JSON.stringify({ query, step_seconds: args.step_seconds, windows: labelled.windows.map((w, k) => ({ start: iso(holdout[w.startIndex]!.timestamp), end: iso(holdout[w.endIndex]!.timestamp), rows: [w.startIndex, w.endIndex], kind: labelled.kinds[k] })) }, null, 2)}\n`,
      });
      const out = await ctx.clients.dvc.addDirectory(relPath);
      const finding: DatasetFinding = {
        name,
        path: relPath,
        abs_path: ctx.clients.dvc.abs(relPath),
        md5: out.md5,
        size: out.size,
        nfiles: out.nfiles,
        dvc_file: `${relPath}.dvc`,
        base_md5: null,
        rows: train.length,
        examples_added: labelled.windows.length,
        topics: [],
      };
      const left = flagged.size ? `, ${flagged.size} points the serving detector flags left out` : "";
      return {
        status: "success",
        summary: `Wrote ${relPath} md5 ${out.md5}: ${train.length} normal training points${left}; ${holdout.length} held-out points with ${labelled.windows.length} injected anomalies`,
        data: finding,
      };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return errorOutcome(error);
    }
  },
});
