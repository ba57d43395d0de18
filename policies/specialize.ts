import type { Clause, PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";

// Specialises a policy to requests whose context holds known values (a slice's environment and
// phase, and an approval for the approval variants): each `context.<field>` it knows becomes the value, and what that settles is folded away,
// so Cedar gets smaller policies that read fewer context fields (each field costs Cedar about 2 µs
// to parse). Folding keeps Cedar's semantics, errors included: Cedar evaluates the scope, then
// each clause left to right, `&&` and `||` short-circuit, so only a sub-expression that is never
// evaluated, or that cannot fail, is dropped.

/** Context field values every request of a slice has. */
export type KnownContext = Readonly<Record<string, string | boolean>>;

type Expr = Record<string, unknown>;

/**
 * The policy as it reads for requests whose context has `known`'s values, or null when for those
 * requests it can neither apply nor fail (a `when` settles false, or an `unless` true, after
 * clauses that cannot fail).
 */
export function specializePolicy(policy: PolicyJson, known: KnownContext): PolicyJson | null {
  const conditions: Clause[] = [];
  let allSafe = true;
  for (const clause of policy.conditions) {
    const body = fold(clause.body as unknown as Expr, known);
    const settled = literalBool(body);
    if (settled === (clause.kind === "when")) continue;
    if (settled !== null) {
      // The clause is false for every request here: the policy applies to none of them.
      if (allSafe) return null;
      // An earlier clause can still fail, and Cedar evaluates it first; nothing after is evaluated.
      conditions.push({ kind: "when", body: { Value: false } } as Clause);
      break;
    }
    allSafe &&= cannotFail(body);
    conditions.push({ kind: clause.kind, body } as Clause);
  }
  return { ...policy, conditions };
}

function fold(expr: Expr, known: KnownContext): Expr {
  const [op, arg] = Object.entries(expr)[0] ?? [];
  if (op === undefined || Object.keys(expr).length !== 1 || op === "Value" || op === "Var" || op === "Slot") return expr;
  // Sets and extension calls ({ "decimal": [...] }) hold a list of expressions.
  if (Array.isArray(arg)) return { [op]: arg.map((e: Expr) => fold(e, known)) };
  if (!isRecord(arg)) return expr;
  if (op === "." && isVar(arg.left, "context") && typeof arg.attr === "string" && Object.hasOwn(known, arg.attr)) {
    return { Value: known[arg.attr] };
  }
  if (op === "Record") return { Record: Object.fromEntries(Object.entries(arg).map(([k, e]) => [k, fold(e as Expr, known)])) };
  const folded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(arg)) folded[key] = isRecord(value) ? fold(value, known) : value;
  const left = folded.left as Expr | undefined;
  const right = folded.right as Expr | undefined;
  switch (op) {
    case "!": {
      const b = literalBool(folded.arg as Expr);
      return b === null ? { "!": folded } : { Value: !b };
    }
    case "==":
    case "!=": {
      const [l, r] = [primitive(left), primitive(right)];
      if (l === undefined || r === undefined) break;
      return { Value: op === "==" ? l === r : l !== r };
    }
    case "contains": {
      const members = left && Array.isArray(left.Set) ? (left.Set as Expr[]).map(primitive) : undefined;
      const member = primitive(right);
      if (!members || members.includes(undefined) || member === undefined) break;
      return { Value: members.includes(member) };
    }
    case "&&":
    case "||": {
      // `&&` stops on false, `||` on true: the value that decides it.
      const decisive = op === "||";
      const [l, r] = [literalBool(left), literalBool(right)];
      if (l === decisive) return { Value: decisive };
      if (l === !decisive) return right!;
      if (r === !decisive) return left!;
      if (r === decisive && cannotFail(left!)) return { Value: decisive };
      break;
    }
    case "if-then-else": {
      const b = literalBool(folded.if as Expr);
      if (b !== null) return (b ? folded.then : folded.else) as Expr;
      break;
    }
  }
  return { [op]: folded };
}

const NEVER_FAIL_BINARY = new Set(["==", "!=", "&&", "||", "<", "<=", ">", ">=", "in"]);

/**
 * Whether evaluating `expr` can never fail, given a policy the schema validated and a context
 * that holds every field a slice's policies read. Conservative: attributes of entities (the entity
 * may be missing), arithmetic (overflow), extension calls and anything unknown may fail.
 */
function cannotFail(expr: Expr): boolean {
  const [op, arg] = Object.entries(expr)[0] ?? [];
  if (op === "Value" || op === "Var") return true;
  if (!isRecord(arg)) return op === "Set" && Array.isArray(arg) && arg.every((e: Expr) => cannotFail(e));
  switch (op) {
    case ".":
      return isVar(arg.left, "context");
    case "has":
    case "is":
      return isVar(arg.left) && (arg.in === undefined || cannotFail(arg.in as Expr));
    case "!":
      return cannotFail(arg.arg as Expr);
    case "contains":
      return cannotFail(arg.left as Expr) && cannotFail(arg.right as Expr);
    default:
      return NEVER_FAIL_BINARY.has(op!) && cannotFail(arg.left as Expr) && cannotFail(arg.right as Expr);
  }
}

/** A string, Boolean or number literal (not an entity, set or record), or undefined. */
function primitive(expr: Expr | undefined): string | boolean | number | undefined {
  const value = expr?.Value;
  return typeof value === "string" || typeof value === "boolean" || typeof value === "number" ? value : undefined;
}

function literalBool(expr: Expr | undefined): boolean | null {
  return typeof expr?.Value === "boolean" ? expr.Value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isVar(expr: unknown, name?: string): boolean {
  return isRecord(expr) && typeof expr.Var === "string" && (name === undefined || expr.Var === name);
}
