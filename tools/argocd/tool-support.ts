import { z } from "zod";
import { errorOutcome } from "../outcome.js";
import type { ToolContext, ToolFlags, ToolOutcome } from "../tool.js";

/** Flags of the tools that change what serves users. */
export const DEPLOY_FLAGS: ToolFlags = { readOnly: false, destructive: true, idempotent: false, openWorld: true };

/** How long a deploy tool waits for Argo CD, leaving room inside the tool's own 20-minute timeout. */
export const WAIT_TIMEOUT_MS = 18 * 60_000;

/** Input field: an Argo CD application name (a Kubernetes resource name). */
export const appField = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
  .describe('Argo CD application name, e.g. "search"');

/**
 * The part of an app's Helm values the deploy tools read. tools/gitops owns the full type
 * (`HelmValues`); this names what must stay compatible with it.
 */
export interface DeployedValues {
  model: { name: string; version: string };
  canary: { enabled: boolean; version: string | null; weight: number };
}

/** Reads the app's Helm values at a revision through the GitOps repository. */
export async function readDeployedValues(ctx: ToolContext, app: string, revision: string): Promise<DeployedValues | null> {
  const values: DeployedValues | null = await ctx.clients.gitops.readValues(app, ctx.environment, revision);
  return values;
}

/** The model version the values put in front of traffic: the canary's while a canary runs. */
export function servedModelVersion(values: DeployedValues): string {
  return values.canary.enabled ? (values.canary.version ?? values.model.version) : values.model.version;
}

/** A short sha for summaries. */
export function shortSha(revision: string): string {
  return /^[0-9a-f]{40}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/**
 * Turns a failure into an error outcome. Cancellation is not a result a model should act on, so
 * when the call's signal is aborted the error propagates to the caller (the policy gate).
 */
export function failure(error: unknown, ctx: ToolContext, summary?: string): ToolOutcome<never> {
  if (ctx.signal.aborted) throw error;
  return errorOutcome(error, summary);
}

/** An error outcome for a mistake in the input a model can fix. */
export function inputError(code: string, message: string): ToolOutcome<never> {
  return { status: "error", summary: message, error: { code, message, retryable: false } };
}
