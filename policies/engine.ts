import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { preparsePolicySet, preparseSchema, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import { errorMessage } from "../core/index.js";
import type { PolicyContext } from "./context.js";
import { PolicyError, PolicyLoadError } from "./errors.js";
import type { Obligation } from "./obligations.js";
import { compilePolicyFiles } from "./policy-set.js";
import type { CompiledPolicySet, PolicyFile, PolicyInfo } from "./policy-set.js";
import { parsePolicyRequest, requestEntities, uid } from "./request.js";
import type { PolicyRequest, ValidRequest } from "./request.js";

export type { PolicyRequest } from "./request.js";
import { buildCedarSchema, CEDAR_NAMESPACE } from "./schema.js";
import type { CedarSchema, PolicyTool } from "./schema.js";

/** What the engine says about one request. */
export interface Decision {
  outcome: "allow" | "deny" | "require_approval";
  /** Why, from the `@reason` of the determining policies (or the engine's own reason). */
  reasons: string[];
  /** The ids of the determining policies; for require_approval, the permits an approval satisfies. */
  policies: string[];
  /** The deny comes from a `@hard_stop` forbid: no approval can lift it. */
  hardStop: boolean;
  /** What the gate must enforce when it runs the call (allow and require_approval only). */
  obligations: Obligation[];
  /** Why the engine could not decide (invalid request, unknown action, Cedar errors); the outcome is then deny. */
  errors: string[];
}

/** The policy decision point. */
export interface PolicyEngine {
  /** Decides one request; pure, never throws, and denies whenever it cannot decide. */
  decide(request: PolicyRequest): Decision;
  /** Swaps in a new policy set when it validates; otherwise keeps the active one and throws the PolicyLoadError. */
  reload(policyFiles: readonly PolicyFile[]): void;
  /** The active policy files, for display. */
  policyTexts(): PolicyFile[];
}

/** What the engine is built from. */
export interface PolicyEngineOptions {
  schema: CedarSchema;
  policyFiles: readonly PolicyFile[];
}

/** The folder of the default policy files. */
export const DEFAULT_POLICY_DIR = fileURLToPath(new URL(".", import.meta.url));

// Node 20's V8 aborts the process ("Fatal error: unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when optimized code that inlined a JS-to-Wasm call is
// lazily deoptimized while cedar-wasm runs: wasm-bindgen builds JS objects from inside the call.
// Reproduced with ~20k hard-stop decisions, then ~20k invalid requests, then valid ones. Turning
// that inlining off costs nothing measurable and must happen before decide() gets hot.
setFlagsFromString("--no-turbo-inline-js-wasm-calls");

// cedar-wasm caches pre-parsed sets by name for the whole process; each engine gets its own names.
let engineCount = 0;

/**
 * Validates the policy files against the schema and pre-parses both once. Throws a
 * PolicyLoadError naming the file, line and reason of each problem.
 */
export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  engineCount += 1;
  const schemaName = `autopilot-schema-${engineCount}`;
  const setId = `autopilot-policies-${engineCount}`;
  const schemaAnswer = preparseSchema(schemaName, options.schema);
  if (schemaAnswer.type === "failure") {
    throw new PolicyError("invalid_schema", `invalid Cedar schema: ${schemaAnswer.errors.map((e) => e.message).join("; ")}`);
  }
  const actions = requestableActions(options.schema);
  const load = (files: readonly PolicyFile[]): CompiledPolicySet => {
    const compiled = compilePolicyFiles(options.schema, files);
    const texts = Object.fromEntries([...compiled.policies].map(([id, info]) => [id, info.text]));
    // Pre-parsing is side-effect free on failure, so the active set survives a bad reload.
    const answer = preparsePolicySet(setId, { staticPolicies: texts });
    if (answer.type === "failure") {
      const reason = answer.errors.map((e) => e.message).join("; ");
      throw new PolicyLoadError([{ file: files.map((f) => f.path).join(", "), line: 0, reason }]);
    }
    return compiled;
  };
  let active = load(options.policyFiles);

  const evaluate = (request: ValidRequest, context: PolicyContext): Evaluation => {
    const answer = statefulIsAuthorized({
      principal: uid(request.principal.type, request.principal.id),
      action: uid("Action", request.action),
      resource: uid(request.resource.type, request.resource.id),
      context,
      entities: requestEntities(request),
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
    decide(request) {
      try {
        return decide(request, actions, active, evaluate);
      } catch (error) {
        return deny([`policy engine error: ${errorMessage(error)}`], [errorMessage(error)]);
      }
    },
    reload(policyFiles) {
      active = load(policyFiles);
    },
    policyTexts() {
      return active.files.map((f) => ({ ...f }));
    },
  };
}

/** Reads every `*.cedar` file of `dir`, in name order. */
export async function readPolicyFiles(dir: string): Promise<PolicyFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".cedar")).sort();
  return Promise.all(names.map(async (name) => ({ path: join(dir, name), text: await readFile(join(dir, name), "utf8") })));
}

/** Builds the schema of `tools` and an engine over the `*.cedar` files of `dir`. */
export async function loadPolicyEngine(dir: string, tools: ReadonlyArray<PolicyTool>): Promise<PolicyEngine> {
  const policyFiles = await readPolicyFiles(dir);
  if (policyFiles.length === 0) throw new PolicyLoadError([{ file: dir, line: 0, reason: "no .cedar policy files" }]);
  return createPolicyEngine({ schema: buildCedarSchema(tools), policyFiles });
}

type Evaluation = { errors: string[] } | { allow: boolean; determining: string[] };

function decide(
  raw: PolicyRequest,
  actions: ReadonlySet<string>,
  active: CompiledPolicySet,
  evaluate: (request: ValidRequest, context: PolicyContext) => Evaluation,
): Decision {
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
  // Sorted, so that the same request always lists its policies in the same order.
  const info = (ids: string[]) => [...ids].sort().map((id) => active.policies.get(id)).filter((p) => p !== undefined);
  const first = evaluate(request, context);
  if ("errors" in first) return deny(first.errors, first.errors);
  if (first.allow) return granted("allow", info(first.determining));
  const forbids = info(first.determining);
  if (forbids.some((p) => p.hardStop)) {
    return { ...deny(forbids.map((p) => p.reason)), policies: forbids.map((p) => p.id), hardStop: true };
  }
  const fallback = `no policy permits ${principal.type}::"${principal.id}" to call ${request.action} in ${context.environment}`;
  if (context.approved) return { ...deny(reasonsOr(forbids, fallback)), policies: forbids.map((p) => p.id) };
  const second = evaluate(request, { ...context, approved: true });
  if ("errors" in second) return deny(second.errors, second.errors);
  if (second.allow) return granted("require_approval", info(second.determining));
  const all = [...forbids, ...info(second.determining).filter((p) => !forbids.includes(p))];
  return { ...deny(reasonsOr(all, fallback)), policies: all.map((p) => p.id) };
}

function granted(outcome: "allow" | "require_approval", permits: PolicyInfo[]): Decision {
  const obligations = new Map<string, Obligation>();
  for (const o of permits.flatMap((p) => p.obligations)) obligations.set(`${o.key}=${o.value}`, o);
  return { outcome, reasons: permits.map((p) => p.reason), policies: permits.map((p) => p.id), hardStop: false, obligations: [...obligations.values()], errors: [] };
}

function deny(reasons: string[], errors: string[] = []): Decision {
  return { outcome: "deny", reasons, policies: [], hardStop: false, obligations: [], errors };
}

function reasonsOr(policies: PolicyInfo[], fallback: string): string[] {
  return policies.length > 0 ? policies.map((p) => p.reason) : [fallback];
}

/** The actions a request may name: those that apply to principals (tools and operator actions, not groups). */
function requestableActions(schema: CedarSchema): ReadonlySet<string> {
  const namespace = schema[CEDAR_NAMESPACE];
  if (!namespace) throw new PolicyError("invalid_schema", `the Cedar schema has no ${CEDAR_NAMESPACE} namespace`);
  return new Set(Object.entries(namespace.actions).filter(([, action]) => action.appliesTo).map(([name]) => name));
}
