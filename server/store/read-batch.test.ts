import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createReadBatch } from "./read-batch.js";

/** A fake SELECT that records what it ran and answers each column `v<i>` with its subquery's position. */
function recorder(fail?: Error) {
  const ran: Array<{ text: string; params: unknown[] }> = [];
  const select = createReadBatch(async (text, params) => {
    ran.push({ text, params });
    if (fail) throw fail;
    const columns = text.match(/ AS v\d+/g) ?? [];
    return { rows: [Object.fromEntries(columns.map((c, i) => [c.slice(4), `answer ${i}`]))] } as unknown as pg.QueryResult;
  });
  return { ran, select };
}

describe("createReadBatch", () => {
  it("answers the reads of one tick with one SELECT, its parameters numbered one after the other", async () => {
    const { ran, select } = recorder();
    const answers = await Promise.all([select("SELECT a FROM t WHERE x = $1 AND y = $2", [1, 2]), select("SELECT b FROM u WHERE z = $1", [3])]);
    expect(answers).toEqual(["answer 0", "answer 1"]);
    expect(ran).toEqual([{ text: "SELECT (SELECT a FROM t WHERE x = $1 AND y = $2) AS v0, (SELECT b FROM u WHERE z = $3) AS v1", params: [1, 2, 3] }]);
  });

  it("gives reads of later ticks their own SELECT, with the same text for the same subqueries", async () => {
    const { ran, select } = recorder();
    await select("SELECT a FROM t WHERE x = $1", [1]);
    await select("SELECT a FROM t WHERE x = $1", [2]);
    expect(ran.map((r) => r.params)).toEqual([[1], [2]]);
    expect(ran[0]!.text).toBe(ran[1]!.text);
  });

  it("fails every read of the batch when the SELECT fails", async () => {
    const { select } = recorder(new Error("relation does not exist"));
    const results = await Promise.allSettled([select("SELECT 1", []), select("SELECT 2", [])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("answers null for a subquery without a row", async () => {
    const select = createReadBatch(async () => ({ rows: [{ v0: null }] }) as unknown as pg.QueryResult);
    expect(await select("SELECT a FROM t WHERE false", [])).toBeNull();
  });
});
