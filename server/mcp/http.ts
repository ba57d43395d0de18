import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { TokensRepo } from "../store/index.js";
import { createMcpServer, type McpCaller, type McpDeps } from "./mcp-server.js";

/** Where MCP requests may come from: the Host names the server answers to, and browser origins allowed to call it. */
export interface McpHttpOptions {
  /** Host header values (hostname, or hostname:port) accepted; anything else is refused (DNS rebinding). */
  allowedHosts: readonly string[];
  /** Origin header values accepted; a request without Origin (not from a browser) is accepted. */
  allowedOrigins: readonly string[];
}

/** Largest JSON-RPC message accepted. */
const MAX_BODY = 1024 * 1024;

/** A JSON-RPC error as the Streamable HTTP transport answers at the HTTP level. */
function rpcError(c: Context, status: 401 | 403 | 405 | 413, message: string, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }, status);
}

/** The hostname of a Host header value (`[::1]:8080` -> `[::1]`, `localhost:80` -> `localhost`). */
function hostnameOf(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
}

/**
 * MCP over Streamable HTTP at `/mcp`, stateless: every POST gets its own server and transport, so
 * any replica answers any request. It needs a bearer API token (the same tokens as the HTTP API;
 * the token's name is the McpClient principal, its role decides which tools are listed) and checks
 * Host and Origin against allowlists before anything else.
 */
export function mcpRoutes(deps: McpDeps & { store: { tokens: TokensRepo } }, options: McpHttpOptions) {
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, "")));
  return new Hono()
    .use(async (c, next) => {
      const host = (c.req.header("host") ?? "").toLowerCase();
      if (!hosts.has(host) && !hosts.has(hostnameOf(host))) return rpcError(c, 403, `host "${host}" is not allowed (MCP_ALLOWED_HOSTS)`);
      const origin = c.req.header("origin");
      if (origin && !origins.has(origin.toLowerCase())) return rpcError(c, 403, `origin "${origin}" is not allowed (MCP_ALLOWED_ORIGINS)`);
      await next();
    })
    .use(async (c, next) => {
      const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
      const challenge = { "www-authenticate": 'Bearer realm="mlops-autopilot", error="invalid_token"' };
      if (!match) return rpcError(c, 401, "MCP needs an API token: send `Authorization: Bearer <token>` (create one with `npx autopilot token create`)", challenge);
      const token = await deps.store.tokens.verify(match[1]!, new Date());
      if (!token) return rpcError(c, 401, "the API token is unknown or revoked", challenge);
      c.set("caller" as never, { name: token.name, role: token.role } as never);
      await next();
    })
    .post(
      "/",
      bodyLimit({ maxSize: MAX_BODY, onError: (c) => rpcError(c, 413, `the message exceeds ${MAX_BODY / 1024} KiB`) }),
      async (c) => {
        const server = createMcpServer(deps, c.get("caller" as never) as McpCaller);
        const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await server.connect(transport);
        try {
          return await transport.handleRequest(c.req.raw);
        } finally {
          await server.close();
        }
      },
    )
    // Stateless: no server-initiated stream to open, no session to end.
    .on(["GET", "DELETE"], "/", (c) => rpcError(c, 405, "this MCP server is stateless: POST JSON-RPC messages", { allow: "POST" }));
}
