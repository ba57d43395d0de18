import { invalidParameter } from "./errors.js";

/** One `key op value` clause of an MLflow search filter. */
export interface Condition {
  /** Normalised key: `metrics.x`, `params.x`, `tags.x`, or a bare attribute (`name`, `status`, `run_id`, ...). */
  key: string;
  op: "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";
  value: string | number | (string | number)[];
}

/** Reads a normalised key of an entity. */
export type Accessor<T> = (item: T, key: string) => string | number | undefined;

const TOKEN = /\s*(`[^`]*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<=|>=|!=|=|<|>|\(|\)|,|[^\s=<>!(),]+)/y;

/** Parses a filter such as `metrics.rmse < 1 and params.model = 'x' and tags."a.b" = 'v'`. */
export function parseFilter(filter: string | undefined): Condition[] {
  if (!filter || !filter.trim()) return [];
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < filter.length && (match = TOKEN.exec(filter))) if (match[1]) tokens.push(match[1]);
  const conditions: Condition[] = [];
  let i = 0;
  const bad = (why: string) => invalidParameter(`Invalid filter '${filter}': ${why}`);
  while (i < tokens.length) {
    const rawKey = tokens[i++];
    let op = tokens[i++]?.toUpperCase();
    if (!rawKey || !op) throw bad("expected <key> <comparator> <value>");
    if (op === "NOT" && tokens[i]?.toUpperCase() === "IN") {
      op = "NOT IN";
      i++;
    }
    if (!["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN"].includes(op)) throw bad(`unsupported comparator '${op}'`);
    let value: Condition["value"];
    if (op === "IN" || op === "NOT IN") {
      if (tokens[i++] !== "(") throw bad("expected a list in parentheses after IN");
      const list: (string | number)[] = [];
      while (i < tokens.length && tokens[i] !== ")") {
        if (tokens[i] !== ",") list.push(literal(tokens[i]!));
        i++;
      }
      i++;
      value = list;
    } else {
      const token = tokens[i++];
      if (token === undefined) throw bad(`expected a value after '${op}'`);
      value = literal(token);
    }
    conditions.push({ key: normaliseKey(rawKey), op: op as Condition["op"], value });
    const joiner = tokens[i];
    if (joiner === undefined) break;
    if (joiner.toUpperCase() !== "AND") throw bad(`expected AND, got '${joiner}'`);
    i++;
  }
  return conditions;
}

/** Whether an item satisfies every condition. */
export function matchesFilter<T>(item: T, conditions: Condition[], get: Accessor<T>): boolean {
  return conditions.every((c) => test(get(item, c.key), c));
}

/** Sorts by `order_by` clauses (`metrics.ndcg DESC`, `start_time`), falling back to `fallback`. */
export function orderItems<T>(items: T[], orderBy: readonly string[], get: Accessor<T>, fallback: (a: T, b: T) => number): T[] {
  const clauses = orderBy.map((clause) => {
    const [key = "", direction = "ASC"] = clause.trim().split(/\s+/);
    return { key: normaliseKey(key), desc: direction.toUpperCase() === "DESC" };
  });
  return [...items].sort((a, b) => {
    for (const { key, desc } of clauses) {
      const va = get(a, key);
      const vb = get(b, key);
      if (va === vb) continue;
      if (va === undefined) return 1; // missing values sort last
      if (vb === undefined) return -1;
      const cmp = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
      return desc ? -cmp : cmp;
    }
    return fallback(a, b);
  });
}

/**
 * One page of results. `page_token` is MLflow's own (`SearchUtils.create_page_token`): the base64
 * of the JSON `{"offset": <end of the previous page>}`, so a token a real server issued reads the same.
 */
export function paginate<T>(items: T[], maxResults: number, pageToken: string | undefined): { items: T[]; next_page_token?: string } {
  const offset = pageToken ? tokenOffset(pageToken) : 0;
  const slice = items.slice(offset, offset + maxResults);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, next_page_token: createPageToken(end) } : { items: slice };
}

/** The page token MLflow issues for a page starting at `offset` (json.dumps writes `{"offset": 1}`). */
function createPageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`).toString("base64");
}

function tokenOffset(token: string): number {
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token '${token}': not a base64-encoded {"offset": n}`);
  return offset;
}

function normaliseKey(raw: string): string {
  const dot = raw.indexOf(".");
  if (dot < 0) return unquote(raw);
  const prefix = raw.slice(0, dot).toLowerCase();
  const rest = unquote(raw.slice(dot + 1));
  if (prefix === "metric" || prefix === "metrics") return `metrics.${rest}`;
  if (prefix === "param" || prefix === "params" || prefix === "parameter" || prefix === "parameters") return `params.${rest}`;
  if (prefix === "tag" || prefix === "tags") return `tags.${rest}`;
  if (["attribute", "attributes", "attr", "run"].includes(prefix)) return rest;
  return unquote(raw);
}

function unquote(text: string): string {
  const first = text[0];
  if ((first === '"' || first === "'" || first === "`") && text.endsWith(first) && text.length >= 2) return text.slice(1, -1).replace(/\\(.)/g, "$1");
  return text;
}

function literal(token: string): string | number {
  if (/^["'`]/.test(token)) return unquote(token);
  const n = Number(token);
  if (Number.isFinite(n)) return n;
  throw invalidParameter(`Invalid value '${token}' in filter: strings must be quoted`);
}

function test(actual: string | number | undefined, c: Condition): boolean {
  if (c.op === "IN" || c.op === "NOT IN") {
    const inList = actual !== undefined && (c.value as (string | number)[]).some((v) => String(v) === String(actual));
    return c.op === "IN" ? inList : !inList;
  }
  if (actual === undefined) return c.op === "!=" ? true : false;
  const expected = c.value as string | number;
  if (c.op === "LIKE" || c.op === "ILIKE") {
    const pattern = String(expected).replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
    return new RegExp(`^${pattern}$`, c.op === "ILIKE" ? "is" : "s").test(String(actual));
  }
  const numeric = typeof expected === "number" && !Number.isNaN(Number(actual));
  const a: string | number = numeric ? Number(actual) : String(actual);
  const b: string | number = numeric ? expected : String(expected);
  switch (c.op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}
