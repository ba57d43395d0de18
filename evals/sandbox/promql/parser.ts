import { parseDuration } from "../duration.js";

/** A label matcher of a selector. */
export interface Matcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

/** The PromQL subset the sandbox evaluates. */
export type Expr =
  | { type: "number"; value: number }
  | { type: "selector"; matchers: Matcher[]; rangeMs: number | null }
  | { type: "aggregate"; op: AggregateOp; by: string[] | null; expr: Expr }
  | { type: "rate"; selector: Extract<Expr, { type: "selector" }> }
  | { type: "histogram_quantile"; phi: number; expr: Expr };

/** The aggregation operators of the subset. */
export type AggregateOp = "sum" | "avg" | "min" | "max" | "count";

/** A query that is not PromQL at all. */
export class PromqlParseError extends Error {
  override name = "PromqlParseError";
}

/** A valid PromQL query outside the subset. */
export class PromqlUnsupportedError extends Error {
  override name = "PromqlUnsupportedError";
}

type Token = { kind: "ident" | "string" | "number" | "duration" | "punct" | "op" | "eof"; text: string; pos: number };

const AGGREGATES = new Set(["sum", "avg", "min", "max", "count"]);
const OTHER_AGGREGATES = new Set(["topk", "bottomk", "quantile", "stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio"]);
const KEYWORDS = new Set(["by", "without", "offset", "and", "or", "unless", "bool", "on", "ignoring", "group_left", "group_right"]);

/** Parses a query of the subset; throws PromqlParseError or PromqlUnsupportedError. */
export function parsePromql(query: string): Expr {
  const tokens = tokenize(query);
  let i = 0;
  const peek = (offset = 0): Token => tokens[Math.min(i + offset, tokens.length - 1)]!;
  const next = (): Token => tokens[i++] ?? tokens[tokens.length - 1]!;
  const fail = (token: Token, message: string): never => {
    throw new PromqlParseError(`1:${token.pos + 1}: parse error: ${message}`);
  };
  const expect = (text: string): Token => {
    const token = next();
    if (token.text !== text) fail(token, `unexpected ${describe(token)}, expected "${text}"`);
    return token;
  };

  function expression(): Expr {
    const expr = unary();
    const token = peek();
    if (token.kind === "op" || token.text === "!=" || (token.kind === "ident" && ["and", "or", "unless"].includes(token.text))) {
      throw new PromqlUnsupportedError(`binary operator "${token.text}"`);
    }
    if (token.kind === "ident" && token.text === "offset") throw new PromqlUnsupportedError("the offset modifier");
    if (token.text === "@") throw new PromqlUnsupportedError("the @ modifier");
    if (token.text === "[") throw new PromqlUnsupportedError("subqueries");
    return expr;
  }

  function unary(): Expr {
    const token = peek();
    if (token.kind === "op" && (token.text === "-" || token.text === "+") && peek(1).kind === "number") {
      next();
      const value = Number(next().text);
      return { type: "number", value: token.text === "-" ? -value : value };
    }
    if (token.kind === "number") {
      next();
      return { type: "number", value: parseNumber(token.text) };
    }
    if (token.text === "(") {
      next();
      const inner = expression();
      expect(")");
      return inner;
    }
    if (token.text === "{") return selector(null);
    if (token.kind === "ident") {
      if (AGGREGATES.has(token.text) && (peek(1).text === "(" || peek(1).text === "by" || peek(1).text === "without")) return aggregate();
      if (OTHER_AGGREGATES.has(token.text) && peek(1).text === "(") throw new PromqlUnsupportedError(`aggregation ${token.text}`);
      if (peek(1).text === "(") return call();
      if (KEYWORDS.has(token.text)) fail(token, `unexpected ${describe(token)}`);
      next();
      return selector(token.text);
    }
    return fail(token, `unexpected ${describe(token)}`);
  }

  function selector(name: string | null): Extract<Expr, { type: "selector" }> {
    const matchers: Matcher[] = name === null ? [] : [{ name: "__name__", op: "=", value: name }];
    if (peek().text === "{") {
      next();
      while (peek().text !== "}") {
        const label = next();
        if (label.kind !== "ident") fail(label, `unexpected ${describe(label)} in label matching, expected label`);
        const op = next();
        if (!["=", "!=", "=~", "!~"].includes(op.text)) fail(op, `unexpected ${describe(op)} in label matching, expected one of "=", "!=", "=~" or "!~"`);
        const value = next();
        if (value.kind !== "string") fail(value, `unexpected ${describe(value)} in label matching, expected string`);
        const matcher: Matcher = { name: label.text, op: op.text as Matcher["op"], value: value.text };
        if (matcher.op === "=~" || matcher.op === "!~") compileRegex(matcher.value, value);
        matchers.push(matcher);
        if (peek().text === ",") next();
        else if (peek().text !== "}") fail(peek(), `unexpected ${describe(peek())} in label matching, expected "," or "}"`);
      }
      next();
    }
    if (matchers.length === 0) fail(peek(), "vector selector must contain at least one non-empty matcher");
    if (matchers.every((m) => matchesEmpty(m))) fail(peek(), "vector selector must contain at least one non-empty matcher");
    let rangeMs: number | null = null;
    if (peek().text === "[") {
      next();
      const duration = next();
      if (duration.kind !== "duration") fail(duration, `unexpected ${describe(duration)} in range, expected a duration`);
      if (peek().text.startsWith(":")) throw new PromqlUnsupportedError("subqueries");
      expect("]");
      rangeMs = parseDuration(duration.text);
    }
    return { type: "selector", matchers, rangeMs };
  }

  function grouping(): string[] {
    const keyword = next();
    if (keyword.text === "without") throw new PromqlUnsupportedError("aggregation without (...); use by (...)");
    expect("(");
    const labels: string[] = [];
    while (peek().text !== ")") {
      const label = next();
      if (label.kind !== "ident") fail(label, `unexpected ${describe(label)} in grouping, expected label`);
      labels.push(label.text);
      if (peek().text === ",") next();
    }
    next();
    return labels;
  }

  function aggregate(): Expr {
    const op = next().text as AggregateOp;
    let by: string[] | null = null;
    if (peek().text === "by" || peek().text === "without") by = grouping();
    expect("(");
    const expr = expression();
    if (peek().text === ",") throw new PromqlUnsupportedError(`a parameter to ${op}`);
    expect(")");
    if (peek().text === "by" || peek().text === "without") {
      if (by !== null) fail(peek(), "aggregation has two grouping clauses");
      by = grouping();
    }
    return { type: "aggregate", op, by, expr };
  }

  function call(): Expr {
    const fn = next();
    expect("(");
    if (fn.text === "rate") {
      const arg = expression();
      expect(")");
      if (arg.type !== "selector" || arg.rangeMs === null) fail(fn, `expected type range vector in call to function "rate", got instant vector`);
      return { type: "rate", selector: arg as Extract<Expr, { type: "selector" }> };
    }
    if (fn.text === "histogram_quantile") {
      const phi = expression();
      if (phi.type !== "number") throw new PromqlUnsupportedError("histogram_quantile with a non-literal quantile");
      expect(",");
      const expr = expression();
      expect(")");
      return { type: "histogram_quantile", phi: phi.value, expr };
    }
    throw new PromqlUnsupportedError(`function ${fn.text}()`);
  }

  const expr = expression();
  if (peek().kind !== "eof") fail(peek(), `unexpected ${describe(peek())}`);
  if (expr.type === "selector" && expr.rangeMs !== null) throw new PromqlUnsupportedError("a range vector outside rate()");
  return expr;
}

/** A full-match regex of a matcher value, as Prometheus anchors it. */
export function compileRegex(source: string, token?: Token): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, "s");
  } catch (error) {
    throw new PromqlParseError(`${token ? `1:${token.pos + 1}: ` : ""}parse error: invalid regular expression "${source}": ${(error as Error).message}`);
  }
}

/** Whether the matcher matches a series that lacks the label (the empty value). */
export function matchesEmpty(m: Matcher): boolean {
  return matchValue(m, "");
}

/** Whether a label value (empty when absent) satisfies the matcher. */
export function matchValue(m: Matcher, value: string): boolean {
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return compileRegex(m.value).test(value);
    case "!~":
      return !compileRegex(m.value).test(value);
  }
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf") return Number.POSITIVE_INFINITY;
  if (lower === "nan") return NaN;
  return text.startsWith("0x") ? parseInt(text, 16) : Number(text);
}

function describe(token: Token): string {
  if (token.kind === "eof") return "end of input";
  if (token.kind === "string") return `string "${token.text}"`;
  if (token.kind === "ident") return `identifier "${token.text}"`;
  return `"${token.text}"`;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw new PromqlParseError(`1:${i + 1}: parse error: ${message}`);
  };
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < query.length && query[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'" || c === "`") {
      let text = "";
      i++;
      while (i < query.length && query[i] !== c) {
        if (query[i] === "\\" && c !== "`") {
          const e = query[i + 1];
          text += e === "n" ? "\n" : e === "t" ? "\t" : (e ?? "");
          i += 2;
        } else text += query[i++];
      }
      if (i >= query.length) fail("unterminated quoted string");
      i++;
      tokens.push({ kind: "string", text, pos: start });
      continue;
    }
    const duration = /^(?:\d+(?:ms|s|m|h|d|w|y))+/.exec(query.slice(i));
    if (duration && !/^[\w.]/.test(query.slice(i + duration[0].length))) {
      if (/[wy]/.test(duration[0])) throw new PromqlUnsupportedError(`duration unit in ${duration[0]} (use ms, s, m, h or d)`);
      tokens.push({ kind: "duration", text: duration[0], pos: start });
      i += duration[0].length;
      continue;
    }
    const number = /^(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf|[Nn]a[Nn])(?![\w:])/.exec(query.slice(i));
    if (number && (/[\d.]/.test(c) || !/[\w:]/.test(query[i + number[0].length] ?? ""))) {
      tokens.push({ kind: "number", text: number[0], pos: start });
      i += number[0].length;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(query.slice(i));
    if (ident) {
      tokens.push({ kind: "ident", text: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    const two = query.slice(i, i + 2);
    if (["=~", "!~", "!=", "==", ">=", "<="].includes(two)) {
      tokens.push({ kind: two === "=~" || two === "!~" || two === "!=" ? "punct" : "op", text: two, pos: start });
      i += 2;
      continue;
    }
    if ("{}()[],=:@".includes(c)) {
      tokens.push({ kind: "punct", text: c, pos: start });
      i++;
      continue;
    }
    if ("+-*/%^<>".includes(c)) {
      tokens.push({ kind: "op", text: c, pos: start });
      i++;
      continue;
    }
    fail(`unexpected character: '${c}'`);
  }
  tokens.push({ kind: "eof", text: "", pos: query.length });
  return tokens;
}
