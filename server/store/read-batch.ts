import type pg from "pg";

/** How many batch texts are kept built. */
const MAX_TEXTS = 64;

/** Runs one SELECT for a batch: its text (the same for the same subqueries) and parameters. */
export type RunBatch = (text: string, params: unknown[]) => Promise<pg.QueryResult>;

interface Wanted {
  subquery: string;
  params: readonly unknown[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Scalar subqueries asked for in the same tick, answered by one SELECT with a column each: one
 * round trip and one snapshot for reads that start together. The policy gate starts three on
 * every call (an environment's flags, its gate overrides, today's quota state), each from its
 * own repository. A subquery is a constant text (values go in its parameters, numbered from $1;
 * it holds no other `$`); when the SELECT fails, every read of the batch fails with its error.
 */
export function createReadBatch(run: RunBatch) {
  let pending: Wanted[] | null = null;
  // Batches of the same subqueries have the same text; built once, it is also what names a
  // prepared statement, so it must not change from one call to the next.
  const texts = new Map<string, string>();
  const ids = new Map<string, number>();

  const textOf = (wanted: readonly Wanted[]): string => {
    let key = "";
    for (const w of wanted) {
      let id = ids.get(w.subquery);
      if (id === undefined) ids.set(w.subquery, (id = ids.size));
      key += `${id}:${w.params.length},`;
    }
    let text = texts.get(key);
    if (text === undefined) {
      let offset = 0;
      const columns = wanted.map((w, i) => {
        const shifted = w.subquery.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
        offset += w.params.length;
        return `(${shifted}) AS v${i}`;
      });
      text = `SELECT ${columns.join(", ")}`;
      // Reads that start together come in few combinations; should they not, start over.
      if (texts.size >= MAX_TEXTS) texts.clear();
      texts.set(key, text);
    }
    return text;
  };

  const flush = async (wanted: Wanted[]) => {
    try {
      const params: unknown[] = [];
      for (const w of wanted) for (const p of w.params) params.push(p);
      const row = (await run(textOf(wanted), params)).rows[0] as Record<string, unknown> | undefined;
      for (let i = 0; i < wanted.length; i++) wanted[i]!.resolve(row?.[`v${i}`] ?? null);
    } catch (error) {
      for (const w of wanted) w.reject(error);
    }
  };

  /** The value of `subquery` (null when it has no row), read together with the others asked for in this tick. */
  return (subquery: string, params: readonly unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!pending) {
        const batch: Wanted[] = (pending = []);
        queueMicrotask(() => {
          pending = null;
          void flush(batch);
        });
      }
      pending.push({ subquery, params, resolve, reject });
    });
}
