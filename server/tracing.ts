import { createHash } from "node:crypto";
import { Client, RunTree } from "langsmith";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import { redactSecrets } from "../core/index.js";
import type { CycleRow } from "./store/index.js";

/** LangSmith tracing of cycles. */
export interface Tracing {
  /** The run configuration of one run of a cycle's graph: callbacks under the cycle's root run. */
  runConfig(cycle: CycleRow): Promise<{ callbacks: CallbackManager }>;
  /** Closes the cycle's root run when the cycle ended, then sends every queued batch. */
  settled(cycle: CycleRow): Promise<void>;
  /** Callbacks that trace one chat turn as a trace of its own (named by the run's `runName`), and a flush for after it. */
  chatRun(): { callbacks: CallbackManager; flush(): Promise<void> };
  /** The LangSmith page of the cycle's trace, or null when LangSmith does not answer in time (it is asked once per process). */
  traceUrl(cycle: Pick<CycleRow, "id" | "createdAt">): Promise<string | null>;
}

/** How long the console waits for LangSmith to say where the project's traces live. */
const TRACE_URL_TIMEOUT_MS = 3_000;

/** Options of the tracing client; values come from server/config.ts. */
export interface TracingOptions {
  apiKey: string;
  endpoint?: string;
  project?: string;
  /** Values that must never reach a trace. */
  secrets?: readonly string[];
}

/** A LangSmith client that batches runs and replaces secret values before anything leaves the process. */
export function createLangSmithClient(options: TracingOptions): Client {
  const secrets = options.secrets ?? [];
  return new Client({
    apiKey: options.apiKey,
    apiUrl: options.endpoint,
    autoBatchTracing: true,
    anonymizer: secrets.length ? (values) => JSON.parse(redactSecrets(JSON.stringify(values), secrets)) as typeof values : undefined,
  });
}

/**
 * Traces every cycle into LangSmith as ONE trace, even when it pauses for an approval and resumes
 * in another process: the root run's id and start time derive from the cycle, so any process can
 * hang later runs under it. The first run of a cycle posts the root; the end of the cycle closes it.
 * Agents' model calls and every gated tool call are its descendants. Secret values are replaced
 * before anything leaves the process.
 */
export function createTracing(options: TracingOptions): Tracing {
  const client = createLangSmithClient(options);
  const rootOf = (cycle: CycleRow) =>
    new RunTree({
      name: `cycle ${cycle.id}`,
      run_type: "chain",
      id: rootRunId(cycle),
      start_time: (cycle.startedAt ?? cycle.createdAt).getTime(),
      project_name: options.project,
      client,
      tracingEnabled: true,
      metadata: { cycle_id: cycle.id, environment: cycle.environment, signal: cycle.signal, service: cycle.service },
      inputs: { trigger: cycle.trigger },
    });
  // `<host>/o/<tenant>/projects/p/<project id>`: asked of LangSmith once, then every cycle's link is built from it.
  let projectUrl: Promise<string | null> | null = null;
  const askProjectUrl = async (): Promise<string | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TRACE_URL_TIMEOUT_MS)));
    try {
      const project = await Promise.race([client.readProject({ projectName: options.project ?? "default" }), timeout]);
      return project?.tenant_id ? `${client.getHostUrl()}/o/${project.tenant_id}/projects/p/${project.id}` : null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    chatRun() {
      const callbacks = new CallbackManager();
      callbacks.addHandler(new LangChainTracer({ client, projectName: options.project }), true);
      return { callbacks, flush: () => client.awaitPendingTraceBatches() };
    },
    async traceUrl(cycle) {
      projectUrl ??= askProjectUrl();
      const base = await projectUrl;
      // A failed lookup is asked again next time rather than remembered for the process's life.
      if (!base) projectUrl = null;
      return base ? `${base}/r/${rootRunId(cycle)}?poll=true` : null;
    },
    async runConfig(cycle) {
      const root = rootOf(cycle);
      // The first run of a cycle creates its root; later runs (resumes) only add children.
      if (cycle.attempts <= 1 && !cycle.resume) await root.postRun();
      const tracer = new LangChainTracer({ client, projectName: options.project });
      tracer.updateFromRunTree(root);
      const callbacks = new CallbackManager(root.id);
      callbacks.addHandler(tracer, true);
      return { callbacks };
    },
    async settled(cycle) {
      if (cycle.status === "completed" || cycle.status === "failed") {
        const root = rootOf(cycle);
        await root.end(cycle.status === "completed" ? { outcome: cycle.outcome } : undefined, cycle.error ?? undefined, (cycle.finishedAt ?? new Date()).getTime());
        await root.patchRun();
      }
      await client.awaitPendingTraceBatches();
    },
  };
}

/** A UUIDv7 for the cycle's root run: the cycle's creation time, then bits of a hash of its id. */
export function rootRunId(cycle: Pick<CycleRow, "id" | "createdAt">): string {
  const ms = cycle.createdAt.getTime().toString(16).padStart(12, "0").slice(-12);
  const h = createHash("sha256").update(`autopilot-cycle:${cycle.id}`).digest("hex");
  const variant = ((parseInt(h[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(7, 19)}`;
}
