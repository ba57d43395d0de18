import { policyToText, preparsePolicySet } from "@cedar-policy/cedar-wasm/nodejs";
import type { EntityJson, EntityUidJson, PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { ENVIRONMENTS, sha256Hex } from "../core/index.js";
import type { Environment } from "../core/index.js";
import { PolicyError, PolicyLoadError } from "./errors.js";
import type { PolicyInfo } from "./policy-set.js";
import { POLICY_PHASES } from "./context.js";
import type { PolicyPhase } from "./context.js";
import { actionScopeIsExact, conditionReads, entityKey, scopeCanMatch } from "./policy-scope.js";
import type { ConditionReads } from "./policy-scope.js";
import { CEDAR_NAMESPACE, PRINCIPAL_TYPES } from "./schema.js";
import { specializePolicy } from "./specialize.js";
import type { KnownContext } from "./specialize.js";
import type { CedarSchema, PrincipalType } from "./schema.js";

/** A set of policies pre-parsed on its own, with what Cedar needs to evaluate it without the schema. */
export interface SlicePart {
  /** The pre-parsed set's id in cedar-wasm. */
  setId: string;
  /** The ids of its policies, in load order (approval variants after, by their own ids). */
  policies: readonly string[];
  /** The context fields the policies read, sorted; null when one reads the whole context. */
  contextFields: readonly string[] | null;
  /**
   * The action entities Cedar gets: none when no policy of the part reads the action beyond a scope
   * the slice settles, the action with its groups when one does, every action when a condition
   * names other actions.
   */
  actionEntities: readonly EntityJson[];
  /**
   * The approval variants among the policies, by their ids in Cedar: a policy that reads
   * `context.approved`, specialised to an approval and given to Cedar as a permit whatever its
   * effect, so that one answer tells what the request gets both without an approval and with one.
   */
  variants: ReadonlyMap<string, ApprovalVariant>;
}

/** What an approval variant stands for. */
export interface ApprovalVariant {
  /** The policy's id. */
  policy: string;
  /** The policy's own effect: a forbid variant that holds means a deny even with an approval. */
  effect: "permit" | "forbid";
}

/** The part of the policy set that can apply to one principal type calling one action in one environment and phase. */
export interface Slice {
  /** Every policy whose scope can match; null when none can (the answer is deny). */
  all: SlicePart | null;
  /** Whether a policy of `all` reads `context.approved` (or the whole context): only then can an approval change the answer. */
  readsApproval: boolean;
  /**
   * `all` plus the approval variants of the policies that read `context.approved`, for a request
   * without an approval; null when none reads it, or when one reads the whole context (it cannot
   * be specialised to an approval, so an approval is asked about in a second evaluation).
   */
  withApproval: SlicePart | null;
}

/** Slices by principal type, action, environment and phase: look one up with sliceKey. */
export type SliceTable = ReadonlyMap<string, Slice>;

/** The key of the slice for one principal type calling one action in one environment and phase. */
export function sliceKey(principalType: PrincipalType, action: string, environment: Environment, phase: PolicyPhase): string {
  return `${principalType} ${action} ${environment} ${phase}`;
}

/** What the schema says about actions and principal types, read once per engine. */
export interface SchemaCatalog {
  /** Each requestable action (tools and operator actions, not groups) as an entity with its groups as parents. */
  actions: ReadonlyMap<string, EntityJson>;
  /** Every action of the schema, groups included, as entities; schema-backed Cedar sees all of them. */
  allActions: readonly EntityJson[];
  /** Per principal type, the qualified entity types it may be a member of. */
  principalAncestorTypes: ReadonlyMap<PrincipalType, ReadonlySet<string>>;
}

const ACTION_TYPE = `${CEDAR_NAMESPACE}::Action`;

/** Reads the action hierarchy (transitive groups) and the principal types' memberships from the schema. */
export function readSchemaCatalog(schema: CedarSchema): SchemaCatalog {
  const namespace = schema[CEDAR_NAMESPACE];
  if (!namespace) throw new PolicyError("invalid_schema", `the Cedar schema has no ${CEDAR_NAMESPACE} namespace`);
  const parentsOf = (name: string): EntityUidJson[] =>
    (namespace.actions[name]?.memberOf ?? []).map((m) => ({ type: qualify(m.type ?? "Action"), id: m.id }));
  const ancestors = (name: string): EntityUidJson[] => {
    const found = new Map<string, EntityUidJson>();
    const visit = (uid: EntityUidJson) => {
      const key = entityKey(uid);
      if (found.has(key)) return;
      found.set(key, uid);
      if ("type" in uid && uid.type === ACTION_TYPE) parentsOf(uid.id).forEach(visit);
    };
    parentsOf(name).forEach(visit);
    return [...found.values()];
  };
  // Every ancestor as a direct parent: the answer does not depend on Cedar closing the hierarchy.
  const entity = (name: string): EntityJson => ({ uid: { type: ACTION_TYPE, id: name }, attrs: {}, parents: ancestors(name) });
  const names = Object.keys(namespace.actions);
  const requestable = names.filter((name) => namespace.actions[name]?.appliesTo);
  const memberOfTypes = (type: string): string[] => {
    const declared = namespace.entityTypes[type];
    return declared && "memberOfTypes" in declared ? (declared.memberOfTypes ?? []) : [];
  };
  const typeAncestors = (type: string): Set<string> => {
    const found = new Set<string>();
    const visit = (t: string) => {
      for (const parent of memberOfTypes(t)) {
        if (found.has(qualify(parent))) continue;
        found.add(qualify(parent));
        visit(parent.replace(`${CEDAR_NAMESPACE}::`, ""));
      }
    };
    visit(type);
    return found;
  };
  return {
    actions: new Map(requestable.map((name) => [name, entity(name)])),
    allActions: names.map(entity),
    principalAncestorTypes: new Map(PRINCIPAL_TYPES.map((type) => [type, typeAncestors(type)])),
  };
}

/**
 * Builds the slice of every (principal type, action, environment, phase) and pre-parses each
 * distinct one. A slice holds the policies whose scope can match, each specialised to the slice's
 * environment and phase (specializePolicy): what those settle is folded away, and a policy they
 * rule out is left out. A scope the action settles is handed to Cedar unconstrained, so Cedar
 * needs no action entity for it. A pre-parsed set is named after a hash of its policies, so a name
 * always means the same policies: a reload never changes a set the active table still uses, and
 * identical slices share one set. Throws a PolicyLoadError when Cedar refuses a slice.
 */
export function buildSlices(policies: ReadonlyMap<string, PolicyInfo>, catalog: SchemaCatalog): SliceTable {
  const all = [...policies.values()];
  const printed = new Map<string, string>();
  const setIds = new Map<string, string>();
  const preparse = (members: readonly Member[]): string => {
    const forCedar = Object.fromEntries(members.map((m) => [m.id, m.form.text]));
    const content = JSON.stringify(Object.entries(forCedar));
    const known = setIds.get(content);
    if (known) return known;
    const setId = `autopilot-slice-${sha256Hex(content).slice(0, 32)}`;
    const answer = preparsePolicySet(setId, { staticPolicies: forCedar });
    if (answer.type === "failure") {
      const files = [...new Set(members.map((m) => m.policy.file))].join(", ");
      throw new PolicyLoadError([{ file: files, line: 0, reason: answer.errors.map((e) => e.message).join("; ") }]);
    }
    setIds.set(content, setId);
    return setId;
  };
  const variantIds = approvalVariantIds(all);
  // Each policy as Cedar gets it in each environment and phase, without an approval and with one;
  // absent where it cannot apply.
  const contexts = ENVIRONMENTS.flatMap((environment) => POLICY_PHASES.map((phase) => ({ environment, phase })));
  const forms = contexts.map((known) => {
    const plain = new Map<string, CedarForm>();
    // A variant Cedar could not print would be the policy's own text: such a slice asks twice.
    const approved = new Map<string, CedarForm | "unprintable">();
    for (const p of all) {
      const form = cedarForm(p, known, printed);
      if (!form) continue;
      plain.set(p.id, form);
      if (form.reads.context === "all" || !form.reads.context.has("approved")) continue;
      const variant = cedarForm({ ...p, json: { ...p.json, effect: "permit" } }, { ...known, approved: true }, printed);
      if (variant) approved.set(p.id, variant.specialized ? variant : "unprintable");
    }
    return { known, plain, approved };
  });
  const table = new Map<string, Slice>();
  for (const principalType of PRINCIPAL_TYPES) {
    const principalAncestorTypes = catalog.principalAncestorTypes.get(principalType) ?? new Set();
    for (const [action, actionEntity] of catalog.actions) {
      const actionKeys = new Set([actionEntity.uid, ...actionEntity.parents].map(entityKey));
      const target = { principalType: qualify(principalType), principalAncestorTypes, actionKeys };
      const members = all.filter((p) => scopeCanMatch(p.json, target));
      for (const { known, plain, approved } of forms) {
        const present: Member[] = [];
        let variants: Member[] | null = [];
        for (const policy of members) {
          const form = plain.get(policy.id);
          if (form) present.push({ id: policy.id, policy, form });
          const variant = approved.get(policy.id);
          if (variant === "unprintable") variants = null;
          else if (variant) variants?.push({ id: variantIds.get(policy.id)!, policy, form: variant, effect: policy.effect });
        }
        table.set(sliceKey(principalType, action, known.environment, known.phase), makeSlice(present, variants, actionEntity, catalog, preparse));
      }
    }
  }
  return table;
}

/** Ids for the approval variants that no policy has: `<id>#approved`, with more `#` where taken. */
function approvalVariantIds(policies: readonly PolicyInfo[]): Map<string, string> {
  const taken = new Set(policies.map((p) => p.id));
  return new Map(
    policies.map((p) => {
      let id = `${p.id}#approved`;
      while (taken.has(id)) id = `${id}#`;
      taken.add(id);
      return [p.id, id];
    }),
  );
}

/** A policy as the slices give it to Cedar: specialised, and with its action scope dropped when the slice settles it. */
interface CedarForm {
  text: string;
  scopeDropped: boolean;
  reads: ConditionReads;
  /** False when Cedar could not print the specialised policy and the slice gets the policy's own text. */
  specialized: boolean;
}

interface Member {
  /** The policy's id in Cedar: its own, or its approval variant's. */
  id: string;
  policy: PolicyInfo;
  form: CedarForm;
  /** For an approval variant, the policy's own effect. */
  effect?: "permit" | "forbid";
}

/**
 * The policy's form for requests whose context has `known`'s values, or null when it cannot apply
 * to them. `printed` keeps Cedar's text of each specialised policy already printed.
 */
function cedarForm(p: PolicyInfo, known: KnownContext, printed: Map<string, string>): CedarForm | null {
  const specialized = specializePolicy(p.json, known);
  if (specialized === null) return null;
  const { annotations: _annotations, ...rest } = specialized;
  const json: PolicyJson = actionScopeIsExact(rest.action) ? { ...rest, action: { op: "All" } } : rest;
  const key = JSON.stringify(json);
  let text = printed.get(key);
  if (text === undefined) {
    const answer = policyToText(json);
    // A policy Cedar cannot print back (a Long beyond 2^53, which JavaScript rounds, is refused)
    // keeps its own text, unspecialised, and its slices the action's entity.
    if (answer.type === "failure") return { text: p.text, scopeDropped: p.json.action.op === "All", reads: conditionReads(p.json), specialized: false };
    text = answer.text;
    printed.set(key, text);
  }
  return { text, scopeDropped: json.action.op === "All", reads: conditionReads(json), specialized: true };
}

/** The slice of `members`; `variants` are their approval variants, null when one could not be made. */
function makeSlice(
  members: readonly Member[],
  variants: readonly Member[] | null,
  action: EntityJson,
  catalog: SchemaCatalog,
  preparse: (members: readonly Member[]) => string,
): Slice {
  const part = (chosen: readonly Member[]): SlicePart | null => {
    if (chosen.length === 0) return null;
    const fields = new Set<string>();
    let wholeContext = false;
    let otherActions = false;
    let ownAction = false;
    for (const { form } of chosen) {
      if (form.reads.context === "all") wholeContext = true;
      else form.reads.context.forEach((f) => fields.add(f));
      if (form.reads.otherActions) otherActions = true;
      if (form.reads.ownAction || !form.scopeDropped) ownAction = true;
    }
    return {
      setId: preparse(chosen),
      policies: chosen.map((m) => m.id),
      contextFields: wholeContext ? null : [...fields].sort(),
      actionEntities: otherActions ? catalog.allActions : ownAction ? [action] : [],
      variants: new Map(chosen.flatMap((m) => (m.effect ? [[m.id, { policy: m.policy.id, effect: m.effect }] as const] : []))),
    };
  };
  const readsWhole = members.some(({ form }) => form.reads.context === "all");
  const readsApproval = readsWhole || members.some(({ form }) => form.reads.context !== "all" && form.reads.context.has("approved"));
  return {
    all: part(members),
    readsApproval,
    withApproval: readsApproval && !readsWhole && variants !== null ? part([...members, ...variants]) : null,
  };
}

function qualify(type: string): string {
  return type.includes("::") ? type : `${CEDAR_NAMESPACE}::${type}`;
}
