import { DEFAULT_TRIGGER_CONTRACT, type Clock, type TriggerContract } from "../../../core/index.js";
import type { ToolClients } from "../../clients.js";
import type { ToolContext } from "../../tool.js";

/** A ToolContext for tool tests, holding only the clients a test gives (the policy gate builds the real one). */
export function testToolContext(options: { clock: Clock; clients: Partial<ToolClients>; contract?: TriggerContract; signal?: AbortSignal }): ToolContext {
  return {
    clients: options.clients as ToolClients,
    clock: options.clock,
    signal: options.signal ?? new AbortController().signal,
    environment: "staging",
    contract: options.contract ?? DEFAULT_TRIGGER_CONTRACT,
    cycleId: null,
  };
}
