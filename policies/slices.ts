import { preparsePolicySet } from "@cedar-policy/cedar-wasm/nodejs";
import type { EntityJson, EntityUidJson } from "@cedar-policy/cedar-wasm/nodejs";
import { sha256Hex } from "../core/index.js";
import { PolicyError, PolicyLoadError } from "./errors.js";
import type { PolicyInfo } from "./policy-set.js";
import { conditionReads, entityKey, scopeCanMatch } from "./policy-scope.js";
import type { ConditionReads } from "./policy-scope.js";
import { CEDAR_NAMESPACE, PRINCIPAL_TYPES } from "./schema.js";
import type { CedarSchema, PrincipalType } from "./schema.js";

/** A set of policies pre-parsed on its own, with what Cedar needs to evaluate it without the schema. */
export interface SlicePart {
  /** The pre-parsed set's id in cedar-wasm. */
  setId: string;
  /** The ids of its policies, in load order. */
  policies: readonly string[];
  /** The context fields the policies read, sorted; null when one reads the whole context. */
  contextFields: readonly string[] | null;
  /** The action entities Cedar gets: the action with its groups, or every action when a condition needs them. */
  actionEntities: readonly EntityJson[];
}

/** The part of the policy set that can apply to one principal type calling one action. */
export interface Slice {
  /** Every policy whose scope can match; null when none can (the answer is deny). */
  all: SlicePart | null;
  /**
   * The policies of `all` that read `context.approved`; null when none does. After a first answer
   * with no determining policy and no error, only these can answer differently with an approval.
   */
  approval: SlicePart | null;
}

/** Slices by principal type, then by requestable action. */
export type SliceTable = ReadonlyMap<PrincipalType, ReadonlyMap<string, Slice>>;

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
 * Builds the slice of every (principal type, action) pair and pre-parses each distinct one. A
 * pre-parsed set is named after a hash of its policies, so a name always means the same policies:
 * a reload never changes a set the active table still uses, and identical slices share one set.
 * Throws a PolicyLoadError when Cedar refuses a slice.
 */
export function buildSlices(policies: ReadonlyMap<string, PolicyInfo>, catalog: SchemaCatalog): SliceTable {
  const reads = new Map([...policies.values()].map((p) => [p.id, conditionReads(p.json)]));
  const setIds = new Map<string, string>();
  const preparse = (members: PolicyInfo[]): string => {
    const texts = Object.fromEntries(members.map((p) => [p.id, p.text]));
    const content = JSON.stringify(Object.entries(texts));
    const known = setIds.get(content);
    if (known) return known;
    const setId = `autopilot-slice-${sha256Hex(content).slice(0, 32)}`;
    const answer = preparsePolicySet(setId, { staticPolicies: texts });
    if (answer.type === "failure") {
      const files = [...new Set(members.map((p) => p.file))].join(", ");
      throw new PolicyLoadError([{ file: files, line: 0, reason: answer.errors.map((e) => e.message).join("; ") }]);
    }
    setIds.set(content, setId);
    return setId;
  };
  const table = new Map<PrincipalType, Map<string, Slice>>();
  for (const principalType of PRINCIPAL_TYPES) {
    const byAction = new Map<string, Slice>();
    const principalAncestorTypes = catalog.principalAncestorTypes.get(principalType) ?? new Set();
    for (const [action, actionEntity] of catalog.actions) {
      const actionKeys = new Set([actionEntity.uid, ...actionEntity.parents].map(entityKey));
      const target = { principalType: qualify(principalType), principalAncestorTypes, actionKeys };
      const members = [...policies.values()].filter((p) => scopeCanMatch(p.json, target));
      byAction.set(action, makeSlice(members, reads, actionEntity, catalog, preparse));
    }
    table.set(principalType, byAction);
  }
  return table;
}

function makeSlice(
  members: PolicyInfo[],
  reads: ReadonlyMap<string, ConditionReads>,
  action: EntityJson,
  catalog: SchemaCatalog,
  preparse: (members: PolicyInfo[]) => string,
): Slice {
  const part = (policies: PolicyInfo[]): SlicePart | null => {
    if (policies.length === 0) return null;
    const fields = new Set<string>();
    let wholeContext = false;
    let otherActions = false;
    for (const p of policies) {
      const r = reads.get(p.id);
      if (!r || r.context === "all") wholeContext = true;
      else r.context.forEach((f) => fields.add(f));
      if (!r || r.otherActions) otherActions = true;
    }
    return {
      setId: preparse(policies),
      policies: policies.map((p) => p.id),
      contextFields: wholeContext ? null : [...fields].sort(),
      actionEntities: otherActions ? catalog.allActions : [action],
    };
  };
  const readsApproved = (p: PolicyInfo) => {
    const context = reads.get(p.id)?.context ?? "all";
    return context === "all" || context.has("approved");
  };
  return { all: part(members), approval: part(members.filter(readsApproved)) };
}

function qualify(type: string): string {
  return type.includes("::") ? type : `${CEDAR_NAMESPACE}::${type}`;
}
