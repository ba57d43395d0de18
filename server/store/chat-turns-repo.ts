import type { Database } from "./db.js";

/** One message at a time per conversation, across replicas. */
export interface ChatTurnsRepo {
  /** Takes the conversation for a turn held by `holder` until `now + leaseMs`; false while another live turn holds it. */
  claim(conversationId: string, holder: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Lets the conversation go, if `holder` still holds it. */
  release(conversationId: string, holder: string): Promise<void>;
}

/** The chat turns repository: a row per conversation answering now, taken with one statement. */
export function createChatTurnsRepo(db: Database): ChatTurnsRepo {
  return {
    async claim(conversationId, holder, now, leaseMs) {
      // Inserted, or taken over from a lease that lapsed; a live holder keeps it (no row returned).
      const r = await db.query(
        `INSERT INTO chat_turns (conversation_id, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (conversation_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE chat_turns.expires_at <= $4
         RETURNING holder`,
        [conversationId, holder, new Date(now.getTime() + leaseMs), now],
      );
      return r.rows.length === 1;
    },
    async release(conversationId, holder) {
      await db.query("DELETE FROM chat_turns WHERE conversation_id = $1 AND holder = $2", [conversationId, holder]);
    },
  };
}
