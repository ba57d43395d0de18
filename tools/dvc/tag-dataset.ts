import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import YAML from "yaml";
import { defineTool, type ToolOutcome } from "../tool.js";
import { errorOutcome } from "../outcome.js";

/** One tag of a dataset: a name for one exact version (its DVC out). */
export interface DatasetTag {
  tag: string;
  md5: string;
  size: number;
  nfiles: number | null;
  at: string;
  cycle_id: string | null;
  note: string | null;
}

/**
 * `dvc_tag_dataset`: names the dataset version a stable model was trained on, in
 * `datasets/<name>.tags.yaml` beside its `.dvc` file, so the exact data can be checked out again
 * (its objects stay in the DVC cache and remote).
 */
export const dvcTagDataset = defineTool({
  name: "dvc_tag_dataset",
  system: "dvc",
  title: "Tag a dataset version",
  description:
    "Records a tag (e.g. stable-7) for the current version of a DVC-tracked dataset in datasets/<name>.tags.yaml: its md5, size and file count. " +
    "Tagging the same version with the same tag again changes nothing; a tag never moves to another version.",
  input: z.object({
    dataset: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).describe("Dataset name (directory under datasets/)"),
    tag: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lower-case tag").describe("Tag, e.g. stable-7"),
    note: z.string().max(500).optional().describe("Why, e.g. the model version it trained"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: true, openWorld: false },
  async run({ dataset, tag, note }, ctx): Promise<ToolOutcome<DatasetTag & { dataset: string; file: string }>> {
    try {
      const dvc = ctx.clients.dvc;
      const rel = `datasets/${dataset}`;
      const out = await dvc.readDvcFile(rel);
      if (!out) return { status: "no_data", summary: `${rel} is not tracked by DVC (no ${rel}.dvc)` };
      const file = dvc.abs(`${rel}.tags.yaml`);
      const existing = await readFile(file, "utf8").then(
        (t) => (YAML.parse(t) as { tags?: DatasetTag[] } | null)?.tags ?? [],
        () => [] as DatasetTag[],
      );
      const same = existing.find((e) => e.tag === tag);
      if (same && same.md5 !== out.md5) {
        return { status: "error", summary: `tag ${tag} already names ${dataset} version ${same.md5}; tags never move`, error: { code: "tag_exists", message: `tag ${tag} exists`, system: "dvc", retryable: false } };
      }
      const entry: DatasetTag = same ?? {
        tag,
        md5: out.md5,
        size: out.size,
        nfiles: "nfiles" in out ? (out.nfiles as number) : null,
        at: ctx.clock.now().toISOString(),
        cycle_id: ctx.cycleId,
        note: note ?? null,
      };
      if (!same) await writeFile(file, YAML.stringify({ dataset, tags: [...existing, entry] }));
      return {
        status: "success",
        summary: same ? `${dataset} ${out.md5} is already tagged ${tag}.` : `Tagged ${dataset} ${out.md5} as ${tag}.`,
        data: { dataset, file: `${rel}.tags.yaml`, ...entry },
      };
    } catch (error) {
      return errorOutcome(error);
    }
  },
});
