import { Client } from "langsmith";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { redactSecrets } from "../core/index.js";
import type { CycleRow } from "./store/index.js";

/** LangSmith tracing of cycles. */
export interface Tracing {
  /** The run configuration that traces one cycle: LangChain callbacks into LangSmith. */
  runConfig(cycle: CycleRow): { callbacks: LangChainTracer[] };
  /** Waits until every queued trace batch is sent. */
  flush(): Promise<void>;
}

/** Options of the tracing client; values come from server/config.ts. */
export interface TracingOptions {
  apiKey: string;
  endpoint?: string;
  project?: string;
  /** Values that must never reach a trace. */
  secrets?: readonly string[];
}

/**
 * Traces every cycle into LangSmith: the cycle's graph run is the root (its metadata carries the
 * cycle id), agents' model calls and every gated tool call are children. Secret values are
 * replaced before anything leaves the process.
 */
export function createTracing(options: TracingOptions): Tracing {
  const secrets = options.secrets ?? [];
  const client = new Client({
    apiKey: options.apiKey,
    apiUrl: options.endpoint,
    autoBatchTracing: true,
    anonymizer: secrets.length ? (values) => JSON.parse(redactSecrets(JSON.stringify(values), secrets)) as typeof values : undefined,
  });
  return {
    runConfig: () => ({ callbacks: [new LangChainTracer({ client, projectName: options.project })] }),
    flush: () => client.awaitPendingTraceBatches(),
  };
}
