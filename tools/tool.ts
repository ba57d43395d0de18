import { z } from "zod";
import type { Clock, Environment, FindingKind, TriggerContract, ArtifactDraft } from "../core/index.js";
import type { ToolClients } from "./clients.js";

/** The systems tools talk to. */
export const TOOL_SYSTEMS = ["prometheus", "alertmanager", "dvc", "h2o", "mlflow", "argocd", "gitops", "grafana", "autopilot"] as const;
/** A system a tool belongs to. */
export type ToolSystem = (typeof TOOL_SYSTEMS)[number];

/** What a tool may do; policies decide on these, never on tool names. */
export interface ToolFlags {
  /** Reads only; never changes any system. */
  readOnly: boolean;
  /** Changes what serves users or cannot be undone by re-running (deploys, aliases, rollbacks). */
  destructive: boolean;
  /** Calling it twice with the same input has the effect of calling it once. */
  idempotent: boolean;
  /** Talks to systems outside the autopilot's own database. */
  openWorld: boolean;
}

/** Everything a tool's run function may use. Only the policy gate builds one. */
export interface ToolContext {
  clients: ToolClients;
  clock: Clock;
  signal: AbortSignal;
  environment: Environment;
  contract: TriggerContract;
  cycleId: string | null;
  /** Paraphrases texts with the configured LLM; absent when no LLM endpoint is configured. */
  paraphrase?: (texts: string[], signal: AbortSignal) => Promise<string[]>;
}

/** Why a tool failed, in terms a model (and an operator) can act on. */
export interface ToolErrorInfo {
  code: string;
  message: string;
  system?: string;
  /** `METHOD path` of the failed upstream request, without secrets. */
  request?: string;
  upstream_status?: number;
  upstream_message?: string;
  retryable: boolean;
}

/** The result of a tool call (HolmesGPT-style: success, no data, or an error naming what failed). */
export type ToolOutcome<O = unknown> =
  | { status: "success"; summary: string; data: O; artifacts?: ArtifactDraft[] }
  | { status: "no_data"; summary: string; data?: O }
  | { status: "error"; summary: string; error: ToolErrorInfo };

/** A tool, defined once; adapters turn it into a LangChain tool and an MCP tool. */
export interface ToolDefinition<S extends z.ZodRawShape = z.ZodRawShape, O = unknown> {
  /** `<system>_<verb>_<object>` in snake_case. */
  readonly name: string;
  readonly system: ToolSystem;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodObject<S>;
  readonly flags: ToolFlags;
  /** The kind of finding the tool's data is, when it establishes one. */
  readonly finding?: FindingKind;
  /** Upper bound of one call, including retries and waits. */
  readonly timeoutMs: number;
  run(input: z.output<z.ZodObject<S>>, ctx: ToolContext): Promise<ToolOutcome<O>>;
}

/** Any tool definition, whatever its input and output types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any, any>;

const NAME_PATTERN = /^[a-z0-9]+_[a-z0-9]+(?:_[a-z0-9]+)+$/;

/** Defines a tool, checking its name and that every input field is described for the model. */
export function defineTool<S extends z.ZodRawShape, O>(
  def: Omit<ToolDefinition<S, O>, "timeoutMs"> & { timeoutMs?: number },
): ToolDefinition<S, O> {
  if (!NAME_PATTERN.test(def.name) || !def.name.startsWith(`${def.system}_`)) {
    throw new Error(`tool name "${def.name}" must be <system>_<verb>_<object> and start with "${def.system}_"`);
  }
  for (const [field, schema] of Object.entries(def.input.shape)) {
    if (!describedSchema(schema as z.ZodType)) throw new Error(`tool ${def.name}: input field "${field}" has no description`);
  }
  if (def.flags.destructive && def.flags.readOnly) throw new Error(`tool ${def.name}: a read-only tool cannot be destructive`);
  return Object.freeze({ timeoutMs: 30_000, ...def });
}

/** Whether a field, or the schema inside its optional/nullable/default wrappers, has a description. */
function describedSchema(schema: z.ZodType): boolean {
  let current: unknown = schema;
  for (let depth = 0; depth < 5 && current; depth++) {
    if ((current as z.ZodType).description) return true;
    const unwrap = (current as { unwrap?: () => unknown }).unwrap;
    current = typeof unwrap === "function" ? unwrap.call(current) : undefined;
  }
  return false;
}

/** Default cap on what a tool result may put in front of a model, in characters. */
export const DEFAULT_OUTPUT_CAP = 6_000;

/**
 * Renders a tool outcome as the JSON a model reads, capped at `maxChars`. Arrays are cut first
 * (keeping their length visible), then the whole text, so the model always sees the status and
 * the summary.
 */
export function renderToolOutcome(outcome: ToolOutcome, maxChars = DEFAULT_OUTPUT_CAP): string {
  const base = { status: outcome.status, summary: outcome.summary };
  const payload =
    outcome.status === "error" ? { ...base, error: outcome.error } : { ...base, data: "data" in outcome ? outcome.data : undefined };
  let text = JSON.stringify(payload);
  if (text.length <= maxChars) return text;
  for (const keep of [50, 20, 5]) {
    text = JSON.stringify(shrinkArrays(payload, keep));
    if (text.length <= maxChars) return text;
  }
  const marker = `…[truncated ${text.length - maxChars} chars]`;
  return text.slice(0, Math.max(0, maxChars - marker.length)) + marker;
}

function shrinkArrays(value: unknown, keep: number): unknown {
  if (Array.isArray(value)) {
    const head = value.slice(0, keep).map((v) => shrinkArrays(v, keep));
    return value.length > keep ? [...head, `…${value.length - keep} more items`] : head;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrinkArrays(v, keep)]));
  }
  return value;
}
