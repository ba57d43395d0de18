import { z } from "zod";
import { CYCLE_ID_PATTERN } from "../../core/index.js";
import { errorOutcome } from "../outcome.js";
import type { ToolContext, ToolFlags, ToolOutcome } from "../tool.js";
import type { AutopilotClient } from "./client.js";

/** Flags of the tools that read the autopilot's own records: nothing outside its database. */
export const AUTOPILOT_READ_FLAGS: ToolFlags = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

/** Input field: a cycle id. */
export const cycleIdField = z.string().regex(CYCLE_ID_PATTERN, "a cycle id such as si_2026_11_20_001").describe("Cycle id, si_YYYY_MM_DD_NNN");

/**
 * Runs `fn` with the autopilot client, or returns an error outcome when the deployment wired none
 * (a gate built without a store). Cancellation propagates to the gate; other failures become errors.
 */
export async function withAutopilot<O>(ctx: ToolContext, fn: (client: AutopilotClient) => Promise<ToolOutcome<O>>): Promise<ToolOutcome<O>> {
  const client = ctx.clients.autopilot;
  if (!client) {
    const message = "the autopilot's records are not available to this gate (no store was wired)";
    return { status: "error", summary: message, error: { code: "not_configured", system: "autopilot", message, retryable: false } };
  }
  try {
    return await fn(client);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return errorOutcome(error);
  }
}

/** `text` cut to `max` characters, marked when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value as compact JSON of at most `max` characters: the value itself when it fits, else its cut text. */
export function compact(value: unknown, max: number): unknown {
  const text = JSON.stringify(value) ?? "null";
  return text.length <= max ? value : { truncated: clip(text, max) };
}
