import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { errorMessage, redactSecrets } from "../../core/index.js";
import type { Config } from "../config.js";

/** Where the bridge reads and writes: stdio by default, streams in tests. */
export interface McpCommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  /** Diagnostics only: stdout carries JSON-RPC and nothing else. */
  log(line: string): void;
}

/**
 * `npx autopilot mcp`: an MCP server on stdio for assistants that start their servers as a
 * process (Claude Desktop, Cursor). It relays every message to the running server's `/mcp` with the
 * API token in AUTOPILOT_TOKEN, so stdio and HTTP clients meet the same tools, world and policies,
 * and the token's name and role decide as they do over HTTP. Ends when stdin closes.
 */
export async function runMcpCommand(config: Pick<Config, "client" | "secrets">, io: McpCommandIo = { stdin: process.stdin, stdout: process.stdout, log: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  const { url, token } = config.client;
  if (!token) {
    io.log("autopilot mcp: set AUTOPILOT_TOKEN to an API token (`npx autopilot token create --role operator --name my-assistant`)");
    return 2;
  }
  const endpoint = new URL(`${url}/mcp`);
  const upstream = new StreamableHTTPClientTransport(endpoint, { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const local = new StdioServerTransport(io.stdin as never, io.stdout as never);
  const say = (line: string) => io.log(redactSecrets(line, config.secrets));
  const initializeIds = new Set<string | number>();

  upstream.onmessage = (message: JSONRPCMessage) => {
    // The protocol version the server chose goes on every later request, as the SDK's client does.
    if (isJSONRPCResultResponse(message) && initializeIds.delete(message.id)) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === "string") upstream.setProtocolVersion(version);
    }
    void local.send(message).catch((e: unknown) => say(`autopilot mcp: could not write to stdout: ${errorMessage(e)}`));
  };
  upstream.onerror = (error) => say(`autopilot mcp: ${endpoint.href}: ${errorMessage(error)}`);
  local.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && message.method === "initialize") initializeIds.add(message.id);
    upstream.send(message).catch((error: unknown) => {
      // A refused connection is the usual case: no server runs there.
      const unreachable = error instanceof TypeError && error.message === "fetch failed";
      const why = unreachable ? `could not reach the autopilot at ${url} (is the server running? \`npm start\`, or set AUTOPILOT_URL)` : `the autopilot at ${url} did not take the message: ${errorMessage(error)}`;
      say(`autopilot mcp: ${why}`);
      // A request gets an answer either way, so the assistant does not wait forever.
      if (isJSONRPCRequest(message)) void local.send({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: redactSecrets(why, config.secrets) } });
    });
  };

  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
    io.stdin.once("end", () => resolve());
  });
  await upstream.start();
  await local.start();
  say(`autopilot mcp: relaying stdio to ${endpoint.href}`);
  await closed;
  await Promise.allSettled([upstream.close(), local.close()]);
  return 0;
}
