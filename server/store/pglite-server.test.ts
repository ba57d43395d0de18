import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startPgliteServer, type PgliteServer } from "./pglite-server.js";

/** A hand-driven wire-protocol session, for clients that misbehave in ways `pg` never does. */
async function rawSession(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  let buffer = Buffer.alloc(0);
  let wake = () => {};
  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    wake();
  });
  /** Reads messages until one of type `type` arrives; returns the types read. */
  const readUntil = async (type: string): Promise<string[]> => {
    const seen: string[] = [];
    for (;;) {
      while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        const t = String.fromCharCode(buffer[0] ?? 0);
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        seen.push(t);
        if (t === type) return seen;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const message = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type, 0, "latin1");
    head.writeInt32BE(4 + body.length, 1);
    socket.write(Buffer.concat([head, body]));
  };
  const params = Buffer.from("user\0postgres\0database\0postgres\0\0", "utf8");
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([startup, params]));
  await readUntil("Z");
  return {
    simpleQuery: async (sql: string) => {
      message("Q", Buffer.from(`${sql}\0`, "utf8"));
      return readUntil("Z");
    },
    /** Parse without Sync: an error puts the backend into skip-until-Sync mode. */
    parseWithoutSync: async (sql: string) => {
      message("P", Buffer.from(`\0${sql}\0\0\0`, "utf8"));
      message("H", Buffer.alloc(0)); // Flush, so the error is sent at once
      return readUntil("E");
    },
    destroy: () => socket.destroy(),
  };
}

describe("startPgliteServer", () => {
  let server: PgliteServer;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPgliteServer({ dataDir: "memory://" });
    pool = new pg.Pool({ connectionString: server.url, max: 8, query_timeout: 20_000, connectionTimeoutMillis: 20_000 });
    await pool.query("CREATE TABLE items (id serial PRIMARY KEY, tag text NOT NULL, n int NOT NULL)");
  });

  afterAll(async () => {
    await pool.end();
    await server.stop();
  });

  it("answers many concurrent parameterized queries and transactions correctly", async () => {
    const committed = new Map<string, number>();
    const rolledBack: string[] = [];
    const work = Array.from({ length: 900 }, async (_, i) => {
      switch (i % 3) {
        case 0: {
          const r = await pool.query<{ doubled: number; echo: string }>("SELECT $1::int * 2 AS doubled, $2::text AS echo", [i, `e${i}`]);
          expect(r.rows).toEqual([{ doubled: i * 2, echo: `e${i}` }]);
          return;
        }
        case 1: {
          const r = await pool.query<{ tag: string; n: number }>("INSERT INTO items (tag, n) VALUES ($1, $2) RETURNING tag, n", [`single_${i}`, i]);
          expect(r.rows).toEqual([{ tag: `single_${i}`, n: i }]);
          committed.set(`single_${i}`, 1);
          return;
        }
        default: {
          const tag = `tx_${i}`;
          const rows = 1 + (i % 4);
          const client = await pool.connect();
          try {
            await client.query("BEGIN");
            for (let k = 0; k < rows; k++) await client.query("INSERT INTO items (tag, n) VALUES ($1, $2)", [tag, k]);
            const inside = await client.query<{ c: number }>("SELECT count(*)::int AS c FROM items WHERE tag = $1", [tag]);
            expect(inside.rows[0]?.c).toBe(rows);
            if (i % 9 === 2) {
              await client.query("ROLLBACK");
              rolledBack.push(tag);
            } else {
              await client.query("COMMIT");
              committed.set(tag, rows);
            }
          } finally {
            client.release();
          }
        }
      }
    });
    await Promise.all(work);

    const counts = await pool.query<{ tag: string; c: number }>("SELECT tag, count(*)::int AS c FROM items GROUP BY tag");
    expect(new Map(counts.rows.map((r) => [r.tag, r.c]))).toEqual(committed);
    expect(rolledBack.length).toBeGreaterThan(0);
  });

  it("rolls back the transaction of a client that disconnects mid-transaction", async () => {
    const raw = await rawSession(server.port);
    await raw.simpleQuery("BEGIN");
    const inserted = await raw.simpleQuery("INSERT INTO items (tag, n) VALUES ('ghost', 1)");
    expect(inserted).toContain("C");
    raw.destroy();

    // The next clients get the backend, and the ghost row was never committed.
    const [a, b] = await Promise.all([
      pool.query<{ c: number }>("SELECT count(*)::int AS c FROM items WHERE tag = 'ghost'"),
      pool.query<{ one: number }>("SELECT $1::int AS one", [1]),
    ]);
    expect(a.rows[0]?.c).toBe(0);
    expect(b.rows[0]?.one).toBe(1);
  });

  it("does not hand a half-finished extended-protocol unit to the next client", async () => {
    const raw = await rawSession(server.port);
    expect(await raw.parseWithoutSync("SELEC broken")).toContain("E");
    raw.destroy();
    const r = await pool.query<{ v: string }>("SELECT $1::text AS v", ["after"]);
    expect(r.rows).toEqual([{ v: "after" }]);
  });

  it("rolls back the transaction of a pg client that ends without committing", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO items (tag, n) VALUES ('abandoned', 1)");
    await client.end();
    const r = await pool.query<{ c: number }>("SELECT count(*)::int AS c FROM items WHERE tag = 'abandoned'");
    expect(r.rows[0]?.c).toBe(0);
  });
});

describe("startPgliteServer limits", () => {
  it("refuses connections beyond maxConnections with a named error", async () => {
    const server = await startPgliteServer({ dataDir: "memory://", maxConnections: 1 });
    const first = new pg.Client({ connectionString: server.url });
    await first.connect();
    const second = new pg.Client({ connectionString: server.url });
    second.on("error", () => {});
    await expect(second.connect()).rejects.toThrow(/too many connections/);
    await first.end();
    await server.stop();
  });
});
