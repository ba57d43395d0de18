import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import type { z } from "zod";
import { isUpstreamError, PrometheusClient } from "../../../tools/index.js";
// The clients' own answer schemas and error readers are internal to each client; the contract is checked against them.
import { ArgoErrorSchema } from "../../../tools/argocd/application.js";
import { h2oErrorMessage } from "../../../tools/h2o/errors.js";
import { H2oJobsSchema } from "../../../tools/h2o/schemas.js";
import { mlflowErrorMessage } from "../../../tools/mlflow/client.js";
import type { Scenario, ScenarioFault } from "../scenario.js";
import type { SandboxOptions } from "../sandbox.js";
import type { RunningSandbox } from "../test-support.js";

/**
 * How the contract test replays a client's recorded fixture against the sandbox and checks the
 * answer with the client's own schema or error reader (../contract.int.test.ts says what each fixture needs).
 */

/** A recorded request/response pair (the format of tools/<system>/fixtures). */
export interface Fixture {
  name: string;
  source: string;
  request: { method: string; path: string; query?: Record<string, string | string[]>; form?: Record<string, string>; json?: unknown };
  response: { status: number; headers?: Record<string, string>; body: unknown };
}

/** What the sandbox answered. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
}

/** How one fixture is replayed: the world it needs, what to create first, and what to check. */
export interface Replay {
  /** Why the case needs set-up or maps ids, when it does. */
  why?: string;
  faults?: ScenarioFault[];
  world?: (scenario: Scenario) => Scenario;
  /** Options of the sandbox itself (credentials it requires). */
  sandbox?: Partial<SandboxOptions>;
  /** Creates what the request refers to; returns recorded strings (ids, paths) to replace with the sandbox's own. */
  setup?: (s: RunningSandbox) => Promise<Record<string, string> | void>;
  /** Checks the answer beyond its status, with the client's own schema. */
  check: (answer: Answer, fixture: Fixture) => void | Promise<void>;
}
/** A fixture replayed, or listed with the reason the sandbox cannot answer it. */
export type Case = Replay | { notReplayed: string };

// ---------------------------------------------------------------------------------------------
// Checks: the client's schema for the endpoint, or its error reader for an error answer.

/** The answer validates with the client's `s` (then `extra`). */
export function schema(s: z.ZodType, extra?: (body: any, fixture: Fixture) => void): Replay["check"] {
  return (answer, fixture) => {
    const parsed = s.safeParse(answer.body);
    expect(parsed.success, `${fixture.name}: ${parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`).toBe(true);
    extra?.(answer.body, fixture);
  };
}

/** The client reads the recorded MLflow error code from the answer. */
export const mlflowError: Replay["check"] = (answer, fixture) => {
  const code = (fixture.response.body as { error_code: string }).error_code;
  expect(mlflowErrorMessage(answer.body, answer.text)).toMatch(new RegExp(`^${code}: .+`));
};

/** An H2OErrorV3 (or builder error) body with the status, whose message the client reads. */
export const h2oError: Replay["check"] = (answer, fixture) => {
  const recorded = fixture.response.body as { __meta: { schema_name: string } };
  expect(answer.body).toMatchObject({ __meta: { schema_name: recorded.__meta.schema_name }, http_status: fixture.response.status });
  // The client reads the message from the body's fields (the recorded kind: parameter errors or a
  // msg), never falling back to the raw text.
  const message = h2oErrorMessage(answer.body, answer.text);
  const recordedMessage = h2oErrorMessage(fixture.response.body, JSON.stringify(fixture.response.body))!;
  expect(message).toMatch(/\S/);
  expect(message).not.toBe(answer.text.trim().slice(0, 500));
  expect(message!.startsWith("invalid parameters:")).toBe(recordedMessage.startsWith("invalid parameters:"));
};

/** An Argo CD `{ error, code, message }` with the recorded gRPC code. */
export const argoError: Replay["check"] = (answer, fixture) => {
  const body = ArgoErrorSchema.parse(answer.body);
  expect(body.code).toBe((fixture.response.body as { code: number }).code);
  expect(body.message).toBe((fixture.response.body as { message: string }).message);
};

/** The job of a GET /3/Jobs answer has the recorded status. */
export const jobStatus = schema(H2oJobsSchema, (body, fixture) => {
  expect(body.jobs[0].status).toBe((fixture.response.body as { jobs: { status: string }[] }).jobs[0]!.status);
});

/** Feeds the sandbox's answer to the Prometheus client itself (its schemas are private to it). */
export async function throughPrometheusClient(answer: Answer, fixture: Fixture): Promise<void> {
  const fetch = (async () => new Response(answer.text, { status: answer.status, headers: answer.headers })) as typeof globalThis.fetch;
  const client = new PrometheusClient({ baseUrl: "http://sandbox.test/prometheus", fetch, retries: 0 });
  const form = fixture.request.form!;
  const call = fixture.request.path.endsWith("/query_range")
    ? client.queryRange(form.query!, { start: new Date(form.start!), end: new Date(form.end!), stepSeconds: Number(form.step) })
    : client.query(form.query!, { time: new Date(form.time!) });
  const outcome = await call.then(
    () => null,
    (error: unknown) => error,
  );
  const recorded = fixture.response.body as { status?: string; errorType?: string; data?: { resultType: string } };
  if (fixture.response.status < 300) {
    expect(outcome, `${fixture.name}: the client refused the answer`).toBeNull();
    const data = (answer.body as { data: { resultType: string; result: unknown[] } }).data;
    expect(data.resultType).toBe(recorded.data!.resultType);
    expect(data.result.length, `${fixture.name}: no series`).toBeGreaterThan(0);
    return;
  }
  if (!isUpstreamError(outcome)) throw new Error(`${fixture.name}: expected an UpstreamError, got ${String(outcome)}`);
  expect(outcome.status).toBe(fixture.response.status);
  if (recorded.errorType) expect(outcome.upstreamMessage).toMatch(new RegExp(`^${recorded.errorType}: `));
  else expect(outcome.upstreamMessage).toBe(fixture.response.body);
}

// ---------------------------------------------------------------------------------------------
// Fixtures and their replay.

const TOOLS = new URL("../../../tools/", import.meta.url);

/** The fixture files of one client, sorted. */
export function fixtureFiles(system: string): string[] {
  return readdirSync(new URL(`${system}/fixtures/`, TOOLS))
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** Every fixture of every client, as `<system>/<file>`. */
export function allFixtures(): string[] {
  return readdirSync(TOOLS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      try {
        return fixtureFiles(d.name).map((f) => `${d.name}/${f}`);
      } catch {
        return [];
      }
    })
    .sort();
}

/** Reads the fixture `<system>/<file>`. */
export function loadFixture(key: string): Fixture {
  return JSON.parse(readFileSync(new URL(key.replace("/", "/fixtures/"), TOOLS), "utf8")) as Fixture;
}

/** The request with recorded strings replaced (also in their percent-encoded form, as paths carry them). */
export function mapIds(request: Fixture["request"], ids: Record<string, string>): Fixture["request"] {
  let text = JSON.stringify(request);
  for (const [from, to] of Object.entries(ids)) {
    for (const [a, b] of [
      [encodeURIComponent(from), encodeURIComponent(to)],
      [from, to],
    ] as const) {
      text = text.split(JSON.stringify(a).slice(1, -1)).join(JSON.stringify(b).slice(1, -1));
    }
  }
  return JSON.parse(text) as Fixture["request"];
}

/** Sends the recorded request to the listening sandbox, under the system's path prefix. */
export async function replay(s: RunningSandbox, system: string, req: Fixture["request"]): Promise<Answer> {
  const url = new URL(`${s.url}/${system}${req.path}`);
  for (const [key, value] of Object.entries(req.query ?? {})) for (const v of [value].flat()) url.searchParams.append(key, v);
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (req.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(req.form).toString();
  } else if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  }
  const res = await fetch(url, { method: req.method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}
