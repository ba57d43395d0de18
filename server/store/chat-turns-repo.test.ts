import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatTurnsRepo, openTestDatabase, type Database } from "./index.js";

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const now = new Date("2026-11-21T10:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);

describe("chat turns repo", () => {
  it("lets one holder answer a conversation at a time, until it releases or its lease lapses", async () => {
    const turns = createChatTurnsRepo(db);
    expect(await turns.claim("chat_a", "replica-1", now, 60_000)).toBe(true);
    expect(await turns.claim("chat_a", "replica-2", at(1_000), 60_000)).toBe(false);
    // Another conversation is free.
    expect(await turns.claim("chat_b", "replica-2", at(1_000), 60_000)).toBe(true);
    // Only the holder lets go.
    await turns.release("chat_a", "replica-2");
    expect(await turns.claim("chat_a", "replica-2", at(2_000), 60_000)).toBe(false);
    await turns.release("chat_a", "replica-1");
    expect(await turns.claim("chat_a", "replica-2", at(3_000), 60_000)).toBe(true);
    // A holder that died: its lease lapses and the next turn takes over.
    expect(await turns.claim("chat_b", "replica-3", at(61_000), 60_000)).toBe(true);
    await turns.release("chat_b", "replica-2");
    expect(await turns.claim("chat_b", "replica-1", at(62_000), 60_000)).toBe(false);
  });

  it("gives a contested conversation to exactly one of many concurrent claims", async () => {
    const turns = createChatTurnsRepo(db);
    const won = await Promise.all(Array.from({ length: 8 }, (_, i) => turns.claim("chat_race", `replica-${i}`, now, 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});
