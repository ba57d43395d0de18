import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotation, StateGraph, emptyCheckpoint, type Checkpoint } from "@langchain/langgraph";
import { createCheckpointer } from "./checkpointer.js";
import { openDatabase, type Database } from "./db.js";
import { openTestDatabase } from "./testing.js";

describe("createCheckpointer", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it("sets up once when replicas create it together, in the store's schema", async () => {
    const replicas = await Promise.all([1, 2].map(() => openDatabase({ databaseUrl: db.connectionString, schema: db.schema, poolMax: 3 })));
    try {
      await Promise.all([db, db, ...replicas].map((d) => createCheckpointer(d)));
    } finally {
      for (const r of replicas) await r.close();
    }
    const tables = await db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'checkpoint%' ORDER BY tablename",
      [db.schema],
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual(["checkpoint_blobs", "checkpoint_migrations", "checkpoint_writes", "checkpoints"]);
    const versions = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM checkpoint_migrations");
    expect(versions.rows[0]?.n).toBe(5);
  });

  it("round-trips a checkpoint through put and getTuple", async () => {
    const saver = await createCheckpointer(db);
    const checkpoint: Checkpoint = {
      ...emptyCheckpoint(),
      id: "1f0a0000-0000-6000-8000-000000000001",
      channel_values: { phase: "diagnose", findings: { monitor: { value: 0.61, triggered: true } } },
      channel_versions: { phase: 1, findings: 1 },
    };
    const config = { configurable: { thread_id: "si_2025_03_01_001", checkpoint_ns: "" } };
    const saved = await saver.put(config, checkpoint, { source: "loop", step: 1, parents: {} }, { phase: 1, findings: 1 });
    expect(saved.configurable).toMatchObject({ thread_id: "si_2025_03_01_001", checkpoint_id: checkpoint.id });

    await saver.putWrites(saved, [["phase", "augment"]], "task-1");
    const tuple = await saver.getTuple({ configurable: { thread_id: "si_2025_03_01_001" } });
    expect(tuple?.checkpoint.id).toBe(checkpoint.id);
    expect(tuple?.checkpoint.channel_values).toEqual(checkpoint.channel_values);
    expect(tuple?.metadata).toMatchObject({ source: "loop", step: 1 });
    expect(tuple?.pendingWrites).toEqual([["task-1", "phase", "augment"]]);
  });

  it("lets a graph resume its state from a new checkpointer, as after a restart", async () => {
    const State = Annotation.Root({ count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
    const build = async () =>
      new StateGraph(State)
        .addNode("bump", () => ({ count: 1 }))
        .addEdge("__start__", "bump")
        .compile({ checkpointer: await createCheckpointer(db) });
    const config = { configurable: { thread_id: "si_2025_03_01_002" } };
    await (await build()).invoke({ count: 10 }, config);
    const state = await (await build()).getState(config);
    expect(state.values).toEqual({ count: 11 });
  });
});
