import { z } from "zod";
import { createHttpClient, isUpstreamError, UpstreamError, type HttpClient, type HttpRequest, type SystemClientOptions } from "../http.js";
import {
  GettableAlertsSchema,
  GettableSilenceSchema,
  GettableSilencesSchema,
  PostSilenceResponseSchema,
  type GettableAlert,
  type GettableSilence,
  type NewSilence,
  type PostableAlert,
} from "./schemas.js";

/** How to reach an Alertmanager. */
export interface AlertmanagerClientOptions extends SystemClientOptions {
  /** The server root, e.g. `http://alertmanager:9093` (`/api/v2/...` is appended; a trailing `/api/v2` is dropped). */
  baseUrl: string;
  /** Extra headers, e.g. a proxy's authorization; their values never appear in errors. */
  headers?: Record<string, string>;
}

/** Which alerts `listAlerts` returns; Alertmanager's defaults are all true. */
export interface AlertQuery {
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  /** Matcher strings such as `alertname="SearchRelevanceDegraded"`; an alert must match all. */
  filter?: readonly string[];
  /** A regex the alert's receivers must match. */
  receiver?: string;
  signal?: AbortSignal;
}

/** What `expireSilence` did. */
export type ExpireResult = "expired" | "already_expired";

const API = "/api/v2";

/** A client of the Alertmanager API v2: alerts and silences (section 2.2 of the API contracts). */
export class AlertmanagerClient {
  private readonly http: HttpClient;

  constructor(options: AlertmanagerClientOptions) {
    const headers = { ...(options.headers ?? {}) };
    this.http = createHttpClient({
      system: "alertmanager",
      baseUrl: options.baseUrl.replace(/\/+$/, "").replace(/\/api\/v2$/, ""),
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      headers: () => headers,
      errorMessage: alertmanagerErrorMessage,
    });
  }

  /** GET /api/v2/alerts, filtered by state, matchers and receiver. */
  async listAlerts(query: AlertQuery = {}): Promise<GettableAlert[]> {
    const params = { active: query.active, silenced: query.silenced, inhibited: query.inhibited, filter: query.filter, receiver: query.receiver };
    return this.call({ method: "GET", path: `${API}/alerts`, query: params, signal: query.signal }, GettableAlertsSchema);
  }

  /**
   * POST /api/v2/alerts. Re-posting the same alerts only refreshes them, so the request may be
   * retried. A 400 means some alerts were invalid (the valid ones were stored); the error lists
   * Alertmanager's reasons.
   */
  async postAlerts(alerts: readonly PostableAlert[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const path = `${API}/alerts`;
    try {
      await this.http.text({ method: "POST", path, json: alerts, signal: options.signal, retry: true });
    } catch (error) {
      if (!isUpstreamError(error) || error.status !== 400) throw mapError(error);
      const reasons = (error.upstreamMessage ?? "").split("\n").map((r) => r.trim()).filter(Boolean);
      const listed = reasons.join("; ") || "no reason given";
      throw new UpstreamError({
        system: "alertmanager",
        request: error.request,
        status: 400,
        upstreamMessage: listed,
        retryable: false,
        code: "alertmanager_invalid_alerts",
        message: `alertmanager: POST ${path} rejected invalid alerts (the valid ones were stored): ${listed}`,
        cause: error,
      });
    }
  }

  /** GET /api/v2/silences, optionally only those whose matchers match every `filter` matcher. */
  async listSilences(filter: readonly string[] = [], options: { signal?: AbortSignal } = {}): Promise<GettableSilence[]> {
    return this.call({ method: "GET", path: `${API}/silences`, query: { filter }, signal: options.signal }, GettableSilencesSchema);
  }

  /**
   * POST /api/v2/silences without an id: creates a silence and returns its id. Never retried, since
   * a retry after a lost answer would create a second silence.
   */
  async createSilence(silence: NewSilence, options: { signal?: AbortSignal } = {}): Promise<string> {
    const json = {
      matchers: silence.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
      startsAt: iso(silence.startsAt),
      endsAt: iso(silence.endsAt),
      createdBy: silence.createdBy,
      comment: silence.comment,
    };
    const res = await this.call({ method: "POST", path: `${API}/silences`, json, signal: options.signal, retry: false }, PostSilenceResponseSchema);
    return res.silenceID;
  }

  /** GET /api/v2/silence/{id}; null when Alertmanager has no such silence. */
  async getSilence(id: string, options: { signal?: AbortSignal } = {}): Promise<GettableSilence | null> {
    try {
      return await this.call({ method: "GET", path: silencePath(id), signal: options.signal }, GettableSilenceSchema);
    } catch (error) {
      if (isUpstreamError(error) && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * DELETE /api/v2/silence/{id}: expires the silence now. Expiring one that has already expired
   * is reported, not an error (Alertmanager answers it with a 500); an unknown id is an error.
   */
  async expireSilence(id: string, options: { signal?: AbortSignal } = {}): Promise<ExpireResult> {
    try {
      await this.http.text({ method: "DELETE", path: silencePath(id), signal: options.signal });
      return "expired";
    } catch (error) {
      if (isUpstreamError(error) && error.status === 500 && /already expired/.test(error.upstreamMessage ?? "")) return "already_expired";
      if (isUpstreamError(error) && error.status === 404) {
        throw new UpstreamError({ ...fields(error), code: "silence_not_found", message: `alertmanager: no silence ${id} (${error.request} answered 404)`, cause: error });
      }
      throw mapError(error);
    }
  }

  private async call<T>(req: HttpRequest, schema: z.ZodType<T>): Promise<T> {
    try {
      return await this.http.json(req, schema);
    } catch (error) {
      throw mapError(error);
    }
  }
}

/**
 * Alertmanager's message from an error body: v2 errors are a plain JSON string, the removed v1
 * API answers `{ status, error }`, and request validation `{ code, message }`.
 */
export function alertmanagerErrorMessage(body: unknown, text: string): string | undefined {
  if (typeof body === "string") return body.trim().slice(0, 2_000) || undefined;
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.error === "string") return b.error;
    if (typeof b.message === "string") return b.message;
  }
  return text.trim().slice(0, 500) || undefined;
}

// A 410 comes from the v1 API, removed in 0.27: say what to fix rather than only that it failed.
function mapError(error: unknown): unknown {
  if (!isUpstreamError(error) || error.status !== 410) return error;
  const hint = "this URL serves Alertmanager's removed v1 API; point the base URL at the server root, the client speaks /api/v2";
  return new UpstreamError({ ...fields(error), code: "alertmanager_api_removed", message: `${error.message} (${hint})`, cause: error });
}

function fields(error: UpstreamError) {
  return { system: error.system, request: error.request, status: error.status, upstreamMessage: error.upstreamMessage, retryable: false };
}

function silencePath(id: string): string {
  return `${API}/silence/${encodeURIComponent(id)}`;
}

function iso(at: Date | string): string {
  return typeof at === "string" ? at : at.toISOString();
}
