import { z } from "zod";
import { INTERNAL_SIGNALS, SIGNALS, type Signal } from "../../core/index.js";
import { defineTool, type ToolOutcome } from "../tool.js";
import type { CycleRequestResult } from "./client.js";
import { withAutopilot } from "./tool-support.js";

/** The signals a cycle can be requested for: those alerts raise (a detector's drift has its own command). */
export const REQUESTABLE_SIGNALS = SIGNALS.filter((s) => !INTERNAL_SIGNALS.includes(s)) as [Signal, ...Signal[]];

/**
 * `autopilot_request_cycle`: queues a self-improvement cycle for a signal of a service, as an alert
 * would. It changes no system by itself (each step of the cycle passes the policy gate), but it
 * spends the loop's time and budget, so policies treat it as a write: a person's request usually
 * waits for an approval.
 */
export const requestCycleTool = defineTool({
  name: "autopilot_request_cycle",
  system: "autopilot",
  title: "Request a cycle",
  description:
    "Queues a self-improvement cycle for one signal of one catalogued service, e.g. ndcg_drop of search to retrain its reranker, latency_p95 to make it faster. " +
    "The cycle runs the trigger contract's loop: it first confirms the signal, so a healthy signal ends without a change, and every step passes the policy gate. " +
    "If the service already has an active cycle, the request joins it. The policy may ask a human to approve the request first.",
  input: z.object({
    service: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/).describe('Catalogued service, e.g. "search"'),
    signal: z.enum(REQUESTABLE_SIGNALS).describe("Signal of the trigger contract the cycle is about, e.g. ndcg_drop"),
    reason: z.string().trim().min(1).max(500).describe("Why, in the requester's words; recorded with the cycle as untrusted text"),
  }),
  flags: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
  timeoutMs: 15_000,
  run: ({ service, signal, reason }, ctx) =>
    withAutopilot(ctx, async (client): Promise<ToolOutcome<CycleRequestResult>> => {
      const data = await client.requestCycle({ environment: ctx.environment, service, signal, reason });
      const summary =
        data.disposition === "started"
          ? `Queued cycle ${data.cycle_id} for ${signal} of ${service} in ${ctx.environment}`
          : `${service} already has an active cycle, ${data.cycle_id}; the request joined it`;
      return { status: "success", summary, data };
    }),
});
