import { preparsePolicySet, preparseSchema, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import type { EntityJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { Decision } from "./engine.js";
import { deny, granted, reasonsOr } from "./decision.js";
import { compilePolicyFiles } from "./policy-set.js";
import type { PolicyFile } from "./policy-set.js";
import { parsePolicyRequest, uid } from "./request.js";
import type { PolicyRequest, ValidRequest } from "./request.js";
import { CEDAR_NAMESPACE } from "./schema.js";
import type { CedarSchema } from "./schema.js";

// Shared by the policy tests only; not exported from index.ts. The engine as it was before slicing:
// the whole policy set, the schema at every call, request validation on, every entity passed. The
// equivalence test holds the sliced engine to it.

let count = 0;

/** A decide() over the whole policy set with the schema, the slow way the engine used to take. */
export function createReferenceEngine(schema: CedarSchema, files: readonly PolicyFile[]): { decide(request: PolicyRequest): Decision } {
  count += 1;
  const schemaName = `reference-schema-${count}`;
  const setId = `reference-policies-${count}`;
  const compiled = compilePolicyFiles(schema, files);
  if (preparseSchema(schemaName, schema).type !== "success") throw new Error("reference: schema refused");
  const texts = Object.fromEntries([...compiled.policies].map(([id, p]) => [id, p.text]));
  if (preparsePolicySet(setId, { staticPolicies: texts }).type !== "success") throw new Error("reference: policies refused");
  const actions = new Set(Object.entries(schema[CEDAR_NAMESPACE]?.actions ?? {}).filter(([, a]) => a.appliesTo).map(([name]) => name));

  const evaluate = (request: ValidRequest, context: ValidRequest["context"]): { errors: string[] } | { allow: boolean; determining: string[] } => {
    const answer = statefulIsAuthorized({
      principal: uid(request.principal.type, request.principal.id),
      action: uid("Action", request.action),
      resource: uid(request.resource.type, request.resource.id),
      context,
      entities: allEntities(request),
      preparsedSchemaName: schemaName,
      preparsedPolicySetId: setId,
      validateRequest: true,
    });
    if (answer.type === "failure") return { errors: answer.errors.map((e) => `cedar: ${e.message}`) };
    const { decision, diagnostics } = answer.response;
    const errors = diagnostics.errors.map((e) => `cedar: policy ${e.policyId}: ${e.error.message}`);
    return errors.length > 0 ? { errors } : { allow: decision === "allow", determining: diagnostics.reason };
  };

  return {
    decide(raw) {
      const parsed = parsePolicyRequest(raw);
      if (!parsed.ok) return deny(parsed.problems, parsed.problems);
      const request = parsed.request;
      const { context, principal, resource } = request;
      if (!actions.has(request.action)) return deny([`unknown tool "${request.action}"`], [`unknown action ${request.action}`]);
      for (const env of [resource.type === "Environment" ? resource.id : undefined, resource.environment]) {
        if (env !== undefined && env !== context.environment) {
          const reason = `resource ${resource.type} "${resource.id}" is in ${env}, the call is for ${context.environment}`;
          return deny([reason], [reason]);
        }
      }
      const info = (ids: string[]) => [...ids].sort().map((id) => compiled.policies.get(id)).filter((p) => p !== undefined);
      const first = evaluate(request, context);
      if ("errors" in first) return deny(first.errors, first.errors);
      if (first.allow) return granted("allow", info(first.determining));
      const forbids = info(first.determining);
      if (forbids.some((p) => p.hardStop)) return { ...deny(forbids.map((p) => p.reason)), policies: forbids.map((p) => p.id), hardStop: true };
      const fallback = `no policy permits ${principal.type}::"${principal.id}" to call ${request.action} in ${context.environment}`;
      if (context.approved) return { ...deny(reasonsOr(forbids, fallback)), policies: forbids.map((p) => p.id) };
      const second = evaluate(request, { ...context, approved: true });
      if ("errors" in second) return deny(second.errors, second.errors);
      if (second.allow) return granted("require_approval", info(second.determining));
      const all = [...forbids, ...info(second.determining).filter((p) => !forbids.includes(p))];
      return { ...deny(reasonsOr(all, fallback)), policies: all.map((p) => p.id) };
    },
  };
}

/** The principal, the resource and, for an Application, its Environment, each whether or not it carries data. */
function allEntities(request: ValidRequest): EntityJson[] {
  const { principal, resource } = request;
  const principalEntity: EntityJson = { uid: uid(principal.type, principal.id), attrs: principal.type === "Operator" ? { role: principal.role } : {}, parents: [] };
  if (resource.type === "Application" && resource.environment) {
    const parent = uid("Environment", resource.environment);
    return [principalEntity, { uid: uid("Application", resource.id), attrs: {}, parents: [parent] }, { uid: parent, attrs: {}, parents: [] }];
  }
  return [principalEntity, { uid: uid(resource.type, resource.id), attrs: {}, parents: [] }];
}
