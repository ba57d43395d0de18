import { z } from "zod";
import { createHttpClient, type HttpClient, type SystemClientOptions } from "../http.js";

/** How to reach a Grafana. */
export interface GrafanaClientOptions extends SystemClientOptions {
  /** The server root, e.g. `http://grafana:3000`. */
  baseUrl: string;
  /** A service account token, sent as `Authorization: Bearer`; it never appears in errors. */
  token?: string;
}

/** One annotation to create: a point (`time`) or a region (`time` to `timeEnd`). */
export interface NewAnnotation {
  /** The dashboard the annotation belongs to; without it, an organization annotation found by its tags. */
  dashboardUID?: string;
  /** The panel of that dashboard; without it, the whole dashboard. */
  panelId?: number;
  time: Date;
  timeEnd?: Date;
  tags: readonly string[];
  text: string;
}

const Created = z.object({ id: z.number(), message: z.string().optional() });
const Health = z.object({ database: z.string().optional(), version: z.string().optional(), commit: z.string().optional() });

/** A client of Grafana's HTTP API: annotations (`POST /api/annotations`) and health. */
export class GrafanaClient {
  private readonly http: HttpClient;

  constructor(options: GrafanaClientOptions) {
    const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.http = createHttpClient({
      system: "grafana",
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      headers: () => auth,
      // Grafana answers errors as `{ "message": "..." }`.
      errorMessage: (body) => (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string" ? (body as { message: string }).message : undefined),
    });
  }

  /**
   * POST /api/annotations. Not retried: Grafana gives no idempotency key, so a retried request
   * whose first attempt landed would draw the annotation twice.
   */
  async createAnnotation(annotation: NewAnnotation, options: { signal?: AbortSignal } = {}): Promise<{ id: number }> {
    const json = {
      dashboardUID: annotation.dashboardUID,
      panelId: annotation.panelId,
      time: annotation.time.getTime(),
      timeEnd: annotation.timeEnd?.getTime(),
      tags: [...annotation.tags],
      text: annotation.text,
    };
    const created = await this.http.json({ method: "POST", path: "/api/annotations", json, signal: options.signal, retry: false }, Created);
    return { id: created.id };
  }

  /** GET /api/health: the version and whether Grafana's database answers. */
  async health(options: { signal?: AbortSignal } = {}): Promise<z.infer<typeof Health>> {
    return this.http.json({ method: "GET", path: "/api/health", signal: options.signal }, Health);
  }
}
