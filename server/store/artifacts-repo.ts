import { randomBytes } from "node:crypto";
import { sha256Hex, type ArtifactDraft, type ArtifactKind, type ArtifactRef } from "../../core/index.js";
import type { Database } from "./db.js";
import { toNumber } from "./rows.js";

/** A stored artifact with its content. */
export interface ArtifactRow extends ArtifactRef {
  cycleId: string;
  content: string;
  createdAt: Date;
}

/** The text artifacts of cycles (reports, manifests, patches, results). */
export interface ArtifactsRepo {
  /** Stores the drafts of a cycle; returns their refs in the drafts' order. */
  put(cycleId: string, drafts: readonly ArtifactDraft[], now: Date): Promise<ArtifactRef[]>;
  /** The refs of a cycle's artifacts, oldest first. */
  list(cycleId: string): Promise<ArtifactRef[]>;
  get(id: string): Promise<ArtifactRow | null>;
}

function toRef(r: Record<string, unknown>): ArtifactRef {
  return {
    id: r.id as string,
    kind: r.kind as ArtifactKind,
    name: r.name as string,
    mediaType: r.media_type as string,
    sha256: r.sha256 as string,
    size: toNumber(r.size),
  };
}

/** The artifacts repository. */
export function createArtifactsRepo(db: Database): ArtifactsRepo {
  return {
    put: (cycleId, drafts, now) =>
      db.withTransaction(async (client) => {
        const refs: ArtifactRef[] = [];
        for (const draft of drafts) {
          const ref: ArtifactRef = {
            id: `art_${randomBytes(12).toString("hex")}`,
            kind: draft.kind,
            name: draft.name,
            mediaType: draft.mediaType,
            sha256: sha256Hex(draft.content),
            size: Buffer.byteLength(draft.content, "utf8"),
          };
          await client.query(
            `INSERT INTO artifacts (id, cycle_id, kind, name, media_type, sha256, size, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [ref.id, cycleId, ref.kind, ref.name, ref.mediaType, ref.sha256, ref.size, draft.content, now],
          );
          refs.push(ref);
        }
        return refs;
      }),

    async list(cycleId) {
      const r = await db.query(
        "SELECT id, kind, name, media_type, sha256, size FROM artifacts WHERE cycle_id = $1 ORDER BY created_at, name, id",
        [cycleId],
      );
      return r.rows.map(toRef);
    },

    async get(id) {
      const r = await db.query("SELECT * FROM artifacts WHERE id = $1", [id]);
      const row = r.rows[0];
      if (!row) return null;
      return { ...toRef(row), cycleId: row.cycle_id as string, content: row.content as string, createdAt: new Date(row.created_at as Date) };
    },
  };
}
