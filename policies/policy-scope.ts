import type { ActionConstraint, EntityUidJson, PolicyJson, PrincipalConstraint } from "@cedar-policy/cedar-wasm/nodejs";

// Readers of Cedar's JSON form of a policy (policyToJson), for slicing the policy set. Each answers
// conservatively: a shape it does not know counts as "may match" or "reads everything", so a
// slice can hold a policy it did not need, never miss one it did.

/** The request a slice is built for: one principal type and one action, with what they are `in`. */
export interface SliceTarget {
  /** The qualified principal type, e.g. `Autopilot::Agent`. */
  principalType: string;
  /** Qualified entity types a principal of that type may be a member of, per the schema. */
  principalAncestorTypes: ReadonlySet<string>;
  /** entityKey of the action and of every action group it is in, transitively. */
  actionKeys: ReadonlySet<string>;
}

/** What a policy's conditions read from the request, beyond its scope. */
export interface ConditionReads {
  /** The context fields read as `context.<field>` or `context has <field>`; "all" when the whole record is used. */
  context: ReadonlySet<string> | "all";
  /** An action entity appears outside `action == / in <literal>`, so Cedar may need other actions' groups. */
  otherActions: boolean;
  /** A condition reads the request's action (`action in Action::"g"`), so Cedar needs its entity and groups. */
  ownAction: boolean;
}

/** A comparable key of an entity uid: `Type::"id"`. */
export function entityKey(uid: EntityUidJson): string {
  const { type, id } = "__entity" in uid ? uid.__entity : uid;
  return `${type}::${JSON.stringify(id)}`;
}

/** Whether the policy's principal and action scopes can hold for a request of `target`. */
export function scopeCanMatch(policy: PolicyJson, target: SliceTarget): boolean {
  return principalCanMatch(policy.principal, target) && actionCanMatch(policy.action, target.actionKeys);
}

function principalCanMatch(scope: PrincipalConstraint, target: SliceTarget): boolean {
  switch (scope.op) {
    case "All":
      return true;
    case "==":
      return "slot" in scope || entityType(scope.entity) === target.principalType;
    case "in": {
      if ("slot" in scope) return true;
      const type = entityType(scope.entity);
      return type === target.principalType || target.principalAncestorTypes.has(type);
    }
    case "is":
      return scope.entity_type === target.principalType;
    default:
      return true;
  }
}

/**
 * Whether the action scope is settled by the action alone (`action`, `== Action::"a"`, `in` a literal
 * group or set): within a slice built for one action, such a scope always holds, so the slice can
 * give Cedar the policy with an unconstrained action and spare it the action's entity.
 */
export function actionScopeIsExact(scope: ActionConstraint): boolean {
  return scope.op === "All" || ((scope.op === "==" || scope.op === "in") && !("slot" in scope));
}

function actionCanMatch(scope: ActionConstraint, actionKeys: ReadonlySet<string>): boolean {
  switch (scope.op) {
    case "All":
      return true;
    case "==":
      return "slot" in scope || actionKeys.has(entityKey(scope.entity));
    case "in":
      return "entity" in scope ? actionKeys.has(entityKey(scope.entity)) : scope.entities.some((e) => actionKeys.has(entityKey(e)));
    default:
      return true;
  }
}

function entityType(uid: EntityUidJson): string {
  return "__entity" in uid ? uid.__entity.type : uid.type;
}

const BINARY = new Set(["==", "!=", "in", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*", "contains", "containsAll", "containsAny", "getTag", "hasTag"]);
const UNARY = new Set(["!", "neg", "isEmpty"]);

/** Walks the `when` and `unless` trees of a policy for what they read of the context and of actions. */
export function conditionReads(policy: PolicyJson): ConditionReads {
  const fields = new Set<string>();
  let wholeContext = false;
  let otherActions = false;
  let ownAction = false;
  const unknown = () => {
    wholeContext = true;
    otherActions = true;
    ownAction = true;
  };
  const walk = (expr: unknown): void => {
    if (!isRecord(expr)) return unknown();
    const entries = Object.entries(expr);
    const [op, arg] = entries[0] ?? [];
    if (entries.length !== 1 || op === undefined) return unknown();
    if (op === "Value") {
      if (holdsActionEntity(arg)) otherActions = true;
    } else if (op === "Var") {
      if (arg === "context") wholeContext = true;
      if (arg === "action") ownAction = true;
    } else if (op === "Slot") {
      return;
    } else if (op === "." || op === "has") {
      if (!isRecord(arg)) return unknown();
      const attr = Array.isArray(arg.attr) ? arg.attr[0] : arg.attr;
      if (isVar(arg.left, "context") && typeof attr === "string") fields.add(attr);
      else walk(arg.left);
    } else if (UNARY.has(op)) {
      walk(isRecord(arg) ? arg.arg : undefined);
    } else if (BINARY.has(op)) {
      if (!isRecord(arg)) return unknown();
      walk(arg.left);
      // `action in Action::"g"` and `action == Action::"a"` read the request's own action entity.
      const ownAction = (op === "in" || op === "==") && isVar(arg.left, "action") && isActionLiterals(arg.right);
      if (!ownAction) walk(arg.right);
    } else if (op === "like") {
      walk(isRecord(arg) ? arg.left : undefined);
    } else if (op === "is") {
      if (!isRecord(arg)) return unknown();
      walk(arg.left);
      if (arg.in !== undefined) walk(arg.in);
    } else if (op === "if-then-else") {
      if (!isRecord(arg)) return unknown();
      [arg.if, arg.then, arg.else].forEach(walk);
    } else if (op === "Set") {
      if (!Array.isArray(arg)) return unknown();
      arg.forEach(walk);
    } else if (op === "Record") {
      if (!isRecord(arg)) return unknown();
      Object.values(arg).forEach(walk);
    } else if (Array.isArray(arg)) {
      // An extension function call: { "decimal": [args] }.
      arg.forEach(walk);
    } else {
      unknown();
    }
  };
  for (const clause of policy.conditions) walk(clause.body);
  return { context: wholeContext ? "all" : fields, otherActions, ownAction };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isVar(expr: unknown, name: string): boolean {
  return isRecord(expr) && expr.Var === name;
}

function isActionLiterals(expr: unknown): boolean {
  if (!isRecord(expr)) return false;
  if (Array.isArray(expr.Set)) return expr.Set.every((e) => isRecord(e) && isActionEntity(e.Value));
  return isActionEntity(expr.Value);
}

function isActionEntity(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const uid = isRecord(value.__entity) ? value.__entity : null;
  return typeof uid?.type === "string" && /(^|::)Action$/.test(uid.type);
}

function holdsActionEntity(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsActionEntity);
  if (!isRecord(value)) return false;
  return isActionEntity(value) || Object.values(value).some(holdsActionEntity);
}
