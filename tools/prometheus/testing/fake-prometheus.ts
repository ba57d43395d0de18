import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../../testing/read-body.js";

/** A series of the fake server: its labels (with `__name__`) and its value at any instant. */
export interface FakeSeries {
  labels: Record<string, string>;
  /** The value at `at`, or undefined when the series has no sample then. */
  value: (at: Date) => number | undefined;
}

/** A running fake Prometheus. */
export interface FakePrometheus {
  /** Base URL to give the client. */
  url: string;
  /** The requests it answered: path and form parameters. */
  requests: { path: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

type Matcher = { name: string; op: "=" | "!=" | "=~" | "!~"; value: string };

/**
 * A small real Prometheus HTTP API v1 (section 1 of the API contracts): `/api/v1/query` and
 * `/api/v1/query_range` by GET or form POST, the JSON envelope, values as strings, bad_data 400
 * errors. It evaluates plain selectors (`name{label="v",label=~"re"}`) only, and has no samples
 * after `now()`, so a tool that does not wait for its window sees no data.
 */
export async function startFakePrometheus(options: { series: FakeSeries[]; now: () => Date }): Promise<FakePrometheus> {
  const requests: FakePrometheus["requests"] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { status: "error", errorType: "internal", error: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    let params = new URLSearchParams(url.search);
    if (req.method === "POST") {
      if (req.headers["content-type"] !== "application/x-www-form-urlencoded") return badData(res, "unsupported content type");
      params = new URLSearchParams(await readBody(req));
    } else if (req.method !== "GET") {
      return send(res, 405, { status: "error", errorType: "bad_data", error: "method not allowed" });
    }
    const form = Object.fromEntries(params);
    requests.push({ path: url.pathname, params: form });
    const matchers = parseSelector(form.query ?? "");
    if (!matchers) return badData(res, `invalid parameter "query": the fake evaluates selectors only: ${form.query ?? ""}`);
    const matching = options.series.filter((s) => matchers.every((m) => matches(m, s.labels[m.name] ?? "")));
    if (url.pathname === "/api/v1/query") {
      const at = form.time ? parseTime(form.time) : options.now();
      if (at === undefined) return badData(res, `invalid parameter "time": cannot parse "${form.time}" to a valid timestamp`);
      const result = matching.flatMap((s) => {
        const v = at <= options.now() ? s.value(at) : undefined;
        return v === undefined ? [] : [{ metric: s.labels, value: [at.getTime() / 1000, formatValue(v)] }];
      });
      return send(res, 200, { status: "success", data: { resultType: "vector", result } });
    }
    if (url.pathname === "/api/v1/query_range") {
      const start = parseTime(form.start ?? "");
      const end = parseTime(form.end ?? "");
      const step = Number(form.step);
      if (!start || !end) return badData(res, 'invalid parameter "start" or "end"');
      if (end < start) return badData(res, 'invalid parameter "end": end timestamp must not be before start time');
      if (!(step > 0)) return badData(res, 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end.getTime() - start.getTime()) / 1000 / step > 11_000) {
        return badData(res, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
      }
      const result = matching.flatMap((s) => {
        const values: [number, string][] = [];
        for (let t = start.getTime(); t <= end.getTime() && t <= options.now().getTime(); t += step * 1000) {
          const v = s.value(new Date(t));
          if (v !== undefined) values.push([t / 1000, formatValue(v)]);
        }
        return values.length ? [{ metric: s.labels, values }] : [];
      });
      return send(res, 200, { status: "success", data: { resultType: "matrix", result } });
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function parseSelector(query: string): Matcher[] | null {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s.exec(query);
  if (!m) return null;
  const matchers: Matcher[] = [{ name: "__name__", op: "=", value: m[1]! }];
  const body = m[2] ?? "";
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  while (re.lastIndex < body.length) {
    const start = re.lastIndex;
    const part = re.exec(body);
    if (!part || re.lastIndex === start) return null;
    matchers.push({ name: part[1]!, op: part[2] as Matcher["op"], value: JSON.parse(`"${part[3]!}"`) as string });
  }
  return matchers;
}

function matches(m: Matcher, actual: string): boolean {
  switch (m.op) {
    case "=":
      return actual === m.value;
    case "!=":
      return actual !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(actual);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(actual);
  }
}

function parseTime(text: string): Date | undefined {
  const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}


function badData(res: ServerResponse, error: string): void {
  send(res, 400, { status: "error", errorType: "bad_data", error });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
