import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TriggerContract } from "../../../core/index.js";
import type { ToolClients } from "../../clients.js";
import { H2oClient } from "../../h2o/client.js";
import { createFakeH2o, type FakeH2oOptions } from "../../h2o/testing/fake-h2o.js";
import { makeRows, writeDataset } from "../../h2o/testing/datasets.js";
import { testToolContext } from "../../h2o/testing/tool-context.js";
import { MlflowClient } from "../client.js";
import { createFakeMlflow, type FakeMlflowOptions } from "./fake-mlflow.js";

/** A fake Prometheus answering instant queries from a table of exact expressions. */
export function fakePrometheus(values: Record<string, number> = {}) {
  const queries: { expr: string; time: Date | undefined }[] = [];
  return {
    queries,
    async query(expr: string, opts: { time?: Date; signal?: AbortSignal } = {}) {
      queries.push({ expr, time: opts.time });
      const value = values[expr];
      const at = (opts.time?.getTime() ?? 0) / 1000;
      return value === undefined ? [] : [{ metric: { service: "search", variant: "all" }, timestamp: at, value }];
    },
  };
}

/**
 * Scores rows the way the test models do: models whose id contains "weak" rank by bm25 (which
 * the test data makes the reverse of relevance), the others by semantic (the exact order).
 */
export function testScore(modelId: string, row: Record<string, number | string | null>): number {
  return Number(modelId.includes("weak") ? row.bm25 : row.semantic);
}

/** A dataset directory whose eval.csv has 4 queries of 6 docs over two topics. */
export function writeEvalDataset(): string {
  const rows = makeRows({ queries: 4, docs: 6, topics: ["fashion", "sports"], labelOf: (_q, d) => [3, 2, 1][d] ?? 0 });
  return writeDataset(mkdtempSync(join(tmpdir(), "mlflow-tools-")), "search-relevance", rows, rows);
}

/** A ToolContext whose clients talk to a fake H2O, a fake MLflow and a fake Prometheus. */
export function mlflowToolSetup(opts: { h2o?: FakeH2oOptions; mlflow?: FakeMlflowOptions; prometheus?: Record<string, number>; contract?: TriggerContract } = {}) {
  const h2oFake = createFakeH2o({ score: testScore, ...opts.h2o });
  const mlflowFake = createFakeMlflow(opts.mlflow);
  const prometheus = fakePrometheus(opts.prometheus);
  const ctx = testToolContext({}, opts.contract ? { contract: opts.contract } : {});
  const h2o = new H2oClient({ baseUrl: "http://h2o.test/h2o", fetch: h2oFake.fetch, clock: ctx.clock });
  const mlflow = new MlflowClient({ baseUrl: "http://mlflow.test/mlflow", fetch: mlflowFake.fetch, clock: ctx.clock, token: "tok_test_secret_value" });
  ctx.clients = { ...ctx.clients, h2o, mlflow, prometheus: prometheus as unknown as ToolClients["prometheus"] };
  return { ctx, h2oFake, mlflowFake, prometheus };
}
