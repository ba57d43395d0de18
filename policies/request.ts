import { z } from "zod";
import type { EntityJson, EntityUidJson } from "@cedar-policy/cedar-wasm/nodejs";
import { EnvironmentSchema } from "../core/index.js";
import { PolicyContextSchema } from "./context.js";
import type { PolicyContext } from "./context.js";
import { CEDAR_NAMESPACE, OPERATOR_ROLES } from "./schema.js";
import type { PrincipalType, ResourceType } from "./schema.js";

/** One question to the policy engine: may this principal call this action on this resource, now. */
export interface PolicyRequest {
  /** Who calls; an Operator carries its role (viewer, operator or admin), nobody else has one. */
  principal: { type: PrincipalType; id: string; role?: string };
  /** The tool name, or an operator action (approve, reject, set_flag, kill_switch). */
  action: string;
  /** What the call acts on; an Application or Model may name its environment. */
  resource: { type: ResourceType; id: string; environment?: string };
  context: PolicyContext;
}

const Id = z.string().min(1);
const NoRole = z.undefined({ error: "only an Operator has a role" }).optional();

const PolicyRequestSchema = z.strictObject({
  principal: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("Agent"), id: Id, role: NoRole }),
    z.strictObject({ type: z.literal("Operator"), id: Id, role: z.enum(OPERATOR_ROLES) }),
    z.strictObject({ type: z.literal("McpClient"), id: Id, role: NoRole }),
  ]),
  action: Id,
  resource: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("Environment"), id: EnvironmentSchema, environment: EnvironmentSchema.optional() }),
    z.strictObject({ type: z.literal("Application"), id: Id, environment: EnvironmentSchema.optional() }),
    z.strictObject({ type: z.literal("Model"), id: Id, environment: EnvironmentSchema.optional() }),
  ]),
  context: PolicyContextSchema,
});

/** A request that passed validation. */
export type ValidRequest = z.output<typeof PolicyRequestSchema>;

/** Validates a request; on failure returns one message per problem, each naming its field. */
export function parsePolicyRequest(request: unknown): { ok: true; request: ValidRequest } | { ok: false; problems: string[] } {
  const parsed = PolicyRequestSchema.safeParse(request);
  if (parsed.success) return { ok: true, request: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `invalid ${issue.path.join(".") || "request"}: ${issue.message}`),
  };
}

/** The Cedar uid of an entity of the namespace. */
export function uid(type: string, id: string): EntityUidJson {
  return { type: `${CEDAR_NAMESPACE}::${type}`, id };
}

/**
 * The entities Cedar needs: those that carry data, an Operator with its role and an Application
 * with its Environment. An entity with no attributes and no parents is left out, since Cedar
 * answers the same for a uid it has no entity for (`in` and `is` read the uid, `has` is false, and
 * strict validation refuses reading an attribute those types do not declare), and each entity
 * costs about 8 µs to parse.
 */
export function requestEntities(request: ValidRequest): EntityJson[] {
  const { principal, resource } = request;
  const entities: EntityJson[] = [];
  if (principal.type === "Operator") entities.push({ uid: uid(principal.type, principal.id), attrs: { role: principal.role }, parents: [] });
  if (resource.type === "Application" && resource.environment) {
    entities.push({ uid: uid("Application", resource.id), attrs: {}, parents: [uid("Environment", resource.environment)] });
  }
  return entities;
}
