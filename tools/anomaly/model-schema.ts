/**
 * Reading a stored detector back: the shape of every field, then the forest's structure (children
 * after their parent inside their own tree, features in range), so a bad file fails on load naming
 * the field instead of misbehaving while it scores.
 */
import { z } from "zod";
import { AnomalyError } from "./anomaly-error.js";
import { FEATURE_NAMES } from "./features.js";
import { ANOMALY_MODEL_FORMAT, type AnomalyModel } from "./model.js";

const int = z.number().int();
const float32 = z.number().refine((v) => Number.isFinite(v) && Math.fround(v) === v, "must be a finite float32 value");

const forestSchema = z.object({
  sampleSize: int.min(2),
  featureCount: int.min(1),
  roots: z.array(int.min(0)).min(1),
  feature: z.array(int.min(-1)).min(1),
  threshold: z.array(float32),
  left: z.array(int.min(-1)),
  right: z.array(int.min(-1)),
  pathLength: z.array(float32),
});

const modelSchema = z
  .object({
    format: z.literal(ANOMALY_MODEL_FORMAT),
    featureNames: z.array(z.string()).refine((names) => names.join() === FEATURE_NAMES.join(), `must be ${JSON.stringify(FEATURE_NAMES)}, the features this version computes`),
    features: z.object({ baselineWindow: int.min(1), shortWindow: int.min(1) }).refine((f) => f.shortWindow <= f.baselineWindow, { message: "shortWindow must not exceed baselineWindow", path: ["shortWindow"] }),
    threshold: float32,
    contamination: z.number().min(0).lt(0.5),
    trainedPoints: int.min(2),
    seed: int,
    profile: z.object({
      bins: int.min(2),
      features: z.array(z.object({ name: z.string(), edges: z.array(z.number()), expected: z.array(z.number().min(0).max(1)) })),
    }),
    forest: forestSchema,
  })
  .superRefine((model, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const { forest, profile, featureNames } = model;
    if (forest.featureCount !== featureNames.length) issue(["forest", "featureCount"], `is ${forest.featureCount}, but featureNames lists ${featureNames.length}`);
    if (profile.features.length !== featureNames.length) issue(["profile", "features"], `has ${profile.features.length} entries, but featureNames lists ${featureNames.length}`);
    profile.features.forEach((bins, f) => {
      if (bins.expected.length !== bins.edges.length + 1) issue(["profile", "features", f, "expected"], `needs ${bins.edges.length + 1} shares (edges + 1), got ${bins.expected.length}`);
      if (bins.edges.some((e, k) => k > 0 && e <= bins.edges[k - 1]!)) issue(["profile", "features", f, "edges"], "must be strictly ascending");
    });
    checkForest(forest, issue);
  });

type Forest = z.infer<typeof forestSchema>;

function checkForest(forest: Forest, issue: (path: (string | number)[], message: string) => void): void {
  const nodes = forest.feature.length;
  for (const key of ["threshold", "left", "right", "pathLength"] as const) {
    if (forest[key].length !== nodes) return issue(["forest", key], `has ${forest[key].length} entries, but forest.feature has ${nodes} nodes`);
  }
  if (forest.roots[0] !== 0) return issue(["forest", "roots", 0], "the first tree must start at node 0");
  for (let t = 0; t < forest.roots.length; t++) {
    const root = forest.roots[t]!;
    const end = forest.roots[t + 1] ?? nodes;
    if (end <= root || end > nodes) return issue(["forest", "roots", t + 1 < forest.roots.length ? t + 1 : t], `tree ${t} spans nodes ${root} to ${end - 1}, not a non-empty range below ${nodes}`);
    for (let node = root; node < end; node++) {
      const feature = forest.feature[node]!;
      if (feature >= forest.featureCount) return issue(["forest", "feature", node], `is ${feature}, but the rows have ${forest.featureCount} features`);
      if (feature < 0) continue;
      // Children strictly after their parent and inside its tree: walking a row always ends at a leaf.
      for (const side of ["left", "right"] as const) {
        const child = forest[side][node]!;
        if (child <= node || child >= end) return issue(["forest", side, node], `is ${child}, not a node of tree ${t} after node ${node}`);
      }
    }
  }
}

/** The detector stored in `json` (parsed JSON), checked field by field; a bad one throws naming the field. */
export function parseAnomalyModel(json: unknown): AnomalyModel {
  const parsed = modelSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new AnomalyError("invalid_model", `invalid anomaly model: ${issues.join("; ")}`, {
    details: { fields: parsed.error.issues.map((i) => i.path.join(".") || "(root)") },
  });
}
