import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { checkParseSchema, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import { errorMessage } from "../core/index.js";
import type { PolicyContext } from "./context.js";
import { PolicyError, PolicyLoadError } from "./errors.js";
import type { Obligation } from "./obligations.js";
import { deny, granted, reasonsOr } from "./decision.js";
import { compilePolicyFiles } from "./policy-set.js";
import type { CompiledPolicySet, PolicyFile } from "./policy-set.js";
import { buildSlices, readSchemaCatalog, sliceKey } from "./slices.js";
import type { SlicePart, SliceTable } from "./slices.js";
import { parsePolicyRequest, requestEntities, uid } from "./request.js";
import type { PolicyRequest, ValidRequest } from "./request.js";

export type { PolicyRequest } from "./request.js";
import { buildCedarSchema } from "./schema.js";
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

/**
 * Validates the policy files strictly against the schema, then slices the set by principal type,
 * action, environment and phase (each policy specialised to the last two) and pre-parses each
 * distinct slice once. Throws a PolicyLoadError naming the file, line and
 * reason of each problem.
 */
export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  const schemaAnswer = checkParseSchema(options.schema);
  if (schemaAnswer.type === "failure") {
    throw new PolicyError("invalid_schema", `invalid Cedar schema: ${schemaAnswer.errors.map((e) => e.message).join("; ")}`);
  }
  const catalog = readSchemaCatalog(options.schema);
  const load = (files: readonly PolicyFile[]): ActiveSet => {
    const compiled = compilePolicyFiles(options.schema, files);
    // Slices are named by their content and built before the swap, so a bad reload leaves the active set whole.
    return { ...compiled, slices: buildSlices(compiled.policies, catalog) };
  };
  let active = load(options.policyFiles);

  return {
    decide(request) {
      try {
        return decide(request, active);
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

interface ActiveSet extends CompiledPolicySet {
  slices: SliceTable;
}

/** Cedar's answer: its decision, the determining policies, and the policies that failed with why. */
type Evaluation = { failure: string[] } | { allow: boolean; determining: string[]; errors: Array<{ policy: string; message: string }> };

/**
 * Asks Cedar about one slice. No schema: the policies were validated against it at load, zod
 * validated the request, and the action entity carries the groups the schema would have supplied.
 */
function evaluate(part: SlicePart, request: ValidRequest, context: PolicyContext): Evaluation {
  const answer = statefulIsAuthorized({
    principal: uid(request.principal.type, request.principal.id),
    action: uid("Action", request.action),
    resource: uid(request.resource.type, request.resource.id),
    context: pick(context, part.contextFields),
    entities: [...requestEntities(request), ...part.actionEntities],
    preparsedPolicySetId: part.setId,
  });
  if (answer.type === "failure") return { failure: answer.errors.map((e) => `cedar: ${e.message}`) };
  const { decision, diagnostics } = answer.response;
  return { allow: decision === "allow", determining: diagnostics.reason, errors: diagnostics.errors.map((e) => ({ policy: e.policyId, message: e.error.message })) };
}

/** A deny naming the policies that failed; sorted, since Cedar lists them in no set order and the same request must read the same. */
function failed(errors: ReadonlyArray<{ policy: string; message: string }>): Decision {
  const messages = errors.map((e) => `cedar: policy ${e.policy}: ${e.message}`).sort();
  return deny(messages, messages);
}

/** The fields of the context a slice reads; fewer fields, less for Cedar to parse. */
function pick(context: PolicyContext, fields: readonly string[] | null): Record<string, string | number | boolean> {
  if (fields === null) return context;
  const all: Record<string, string | number | boolean> = context;
  const picked: Record<string, string | number | boolean> = {};
  for (const field of fields) {
    const value = all[field];
    if (value !== undefined) picked[field] = value;
  }
  return picked;
}

function decide(raw: PolicyRequest, active: ActiveSet): Decision {
  const parsed = parsePolicyRequest(raw);
  if (!parsed.ok) return deny(parsed.problems, parsed.problems);
  const request = parsed.request;
  const { context, principal, resource } = request;
  const slice = active.slices.get(sliceKey(principal.type, request.action, context.environment, context.phase));
  if (!slice) return deny([`unknown tool "${request.action}"`], [`unknown action ${request.action}`]);
  for (const env of [resource.type === "Environment" ? resource.id : undefined, resource.environment]) {
    if (env !== undefined && env !== context.environment) {
      const reason = `resource ${resource.type} "${resource.id}" is in ${env}, the call is for ${context.environment}`;
      return deny([reason], [reason]);
    }
  }
  const fallback = `no policy permits ${principal.type}::"${principal.id}" to call ${request.action} in ${context.environment}`;
  if (slice.all === null) return deny([fallback]);
  // Sorted, so that the same request always lists its policies in the same order.
  const info = (ids: string[]) => [...ids].sort().map((id) => active.policies.get(id)).filter((p) => p !== undefined);
  // Without an approval, one evaluation also answers what an approval would get (the variants).
  const part = context.approved ? slice.all : (slice.withApproval ?? slice.all);
  const first = evaluate(part, request, context);
  if ("failure" in first) return deny(first.failure, first.failure);
  const variants = part.variants;
  const ownErrors = first.errors.filter((e) => !variants.has(e.policy));
  if (ownErrors.length > 0) return failed(ownErrors);
  const holding = first.determining.filter((id) => !variants.has(id));
  if (first.allow && holding.length > 0) return granted("allow", info(holding));
  const forbids = first.allow ? [] : info(holding);
  if (forbids.some((p) => p.hardStop)) {
    return { ...deny(forbids.map((p) => p.reason)), policies: forbids.map((p) => p.id), hardStop: true };
  }
  const denied = { ...deny(reasonsOr(forbids, fallback)), policies: forbids.map((p) => p.id) };
  if (context.approved || !slice.readsApproval) return denied;
  if (forbids.length === 0 && part === slice.withApproval) {
    // Nothing held without an approval: the variants that held, or failed, are the answer with one.
    const withApproval = first.errors.map((e) => ({ ...e, policy: variants.get(e.policy)!.policy }));
    if (withApproval.length > 0) return failed(withApproval);
    const held = first.determining.map((id) => variants.get(id)!);
    const against = info(held.filter((v) => v.effect === "forbid").map((v) => v.policy));
    if (against.length > 0) return { ...deny(against.map((p) => p.reason)), policies: against.map((p) => p.id) };
    return held.length > 0 ? granted("require_approval", info(held.map((v) => v.policy))) : denied;
  }
  // A forbid held, or a policy reads the whole context: ask the whole slice again with an approval.
  const second = evaluate(slice.all, request, { ...context, approved: true });
  if ("failure" in second) return deny(second.failure, second.failure);
  if (second.errors.length > 0) return failed(second.errors);
  if (second.allow) return granted("require_approval", info(second.determining));
  const all = [...forbids, ...info(second.determining).filter((p) => !forbids.includes(p))];
  return { ...deny(reasonsOr(all, fallback)), policies: all.map((p) => p.id) };
}
