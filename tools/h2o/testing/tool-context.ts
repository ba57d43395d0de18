import { DEFAULT_TRIGGER_CONTRACT, SimulatedClock, type TriggerContract } from "../../../core/index.js";
import type { ToolClients } from "../../clients.js";
import type { ToolContext } from "../../tool.js";

/** A ToolContext for tool tests: a SimulatedClock, the default contract, the given clients. */
export function testToolContext(clients: Partial<ToolClients>, overrides: Partial<Omit<ToolContext, "clients">> = {}): ToolContext & { clock: SimulatedClock } {
  const clock = (overrides.clock as SimulatedClock | undefined) ?? new SimulatedClock({ start: new Date("2026-01-01T00:00:00Z") });
  const contract: TriggerContract = overrides.contract ?? structuredClone(DEFAULT_TRIGGER_CONTRACT);
  return {
    environment: "dev",
    cycleId: "si_2026_01_01_001",
    signal: new AbortController().signal,
    ...overrides,
    contract,
    clock,
    // Only the clients a tool uses are given; the others are never touched.
    clients: clients as ToolClients,
  };
}
