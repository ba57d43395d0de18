// Server-sent events read from a fetch body. EventSource cannot POST (the chat) and hides the
// status of a refused stream, so every stream of the console goes through this one parser, which
// follows the WHATWG event-stream rules: lines end in CRLF, LF or CR, `:` starts a comment, one
// space after the colon is dropped, data lines join with "\n", a blank line dispatches.

import { networkError, refused } from "./api.js";

/** @typedef {{ event: string, data: string, id: string }} SseEvent */

/**
 * Creates a parser that takes text as it arrives, in chunks cut anywhere, and calls `onEvent` for
 * each complete event.
 * @param {(event: SseEvent) => void} onEvent
 * @returns {{ push(text: string): void }}
 */
export function createSseParser(onEvent) {
  let buffer = "";
  let data = /** @type {string[]} */ ([]);
  let event = "";
  let lastId = "";
  // A CR at the end of a chunk may be the first half of a CRLF.
  let skipLf = false;

  /** @param {string} line */
  const line = (line) => {
    if (line === "") {
      if (data.length > 0) onEvent({ event: event || "message", data: data.join("\n"), id: lastId });
      data = [];
      event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) lastId = value;
  };

  return {
    push(text) {
      if (skipLf && text.startsWith("\n")) text = text.slice(1);
      skipLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== "\n" && ch !== "\r") continue;
        line(buffer.slice(start, i));
        if (ch === "\r") {
          if (i + 1 === buffer.length) skipLf = true;
          else if (buffer[i + 1] === "\n") i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
}

/**
 * Reads an event stream to its end (an incomplete last event is dropped, as the standard says).
 * @param {ReadableStream<Uint8Array>} body
 * @param {(event: SseEvent) => void} onEvent
 */
export async function readEventStream(body, onEvent) {
  const parser = createSseParser(onEvent);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

/**
 * Opens an event stream (GET, or POST with a JSON body) and reads it to its end. A refused stream
 * throws the server's ApiError before any event.
 * @param {string} path
 * @param {{ body?: unknown, signal?: AbortSignal, onOpen?: () => void, onEvent: (event: SseEvent) => void }} options
 */
export async function openEventStream(path, options) {
  /** @type {Record<string, string>} */
  const headers = { accept: "text/event-stream" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method: options.body === undefined ? "GET" : "POST",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    throw networkError(error);
  }
  if (!res.ok) throw await refused(path, res);
  if (!res.body || !(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    throw Object.assign(new Error(`${path} did not answer with an event stream`), { status: 415 });
  }
  options.onOpen?.();
  try {
    await readEventStream(res.body, options.onEvent);
  } catch (error) {
    throw networkError(error);
  }
}

/**
 * The data of an event as JSON (or the raw text when it is not JSON).
 * @param {SseEvent} event
 * @returns {any}
 */
export function eventData(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return event.data;
  }
}
