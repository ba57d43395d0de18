// The chat with the supervisor. Answers stream token by token (POST /api/v1/chat answers with an
// event stream); the conversation id the server gives is kept for the next question, and the
// transcript survives leaving the page and reloading it (per tab, in sessionStorage).

import { h, replace } from "../lib/dom.js";
import { ApiError, isAbort } from "../lib/api.js";
import { eventData, openEventStream } from "../lib/sse.js";
import { hasRole } from "../lib/session.js";
import { createNotices } from "../components/notices.js";
import { messageView, newMessage } from "../components/chat-message.js";

/** @typedef {import("../components/chat-message.js").ChatMessage} ChatMessage */

const STORAGE_KEY = "autopilot.chat";
const EXAMPLES = ["Why did the last cycle roll back?", "What is p95 latency of search now?", "Retrain the reranker on last week's data"];

/** @returns {{ conversationId: string | null, messages: ChatMessage[] }} */
function loadState() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    if (saved && Array.isArray(saved.messages)) return { conversationId: saved.conversationId ?? null, messages: saved.messages.map((/** @type {ChatMessage} */ m) => ({ ...m, streaming: false })) };
  } catch {
    // A damaged entry starts a new conversation.
  }
  return { conversationId: null, messages: [] };
}

/** @param {{ conversationId: string | null, messages: ChatMessage[] }} state */
function saveState(state) {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Storage full or disabled: the conversation still works, it just does not survive a reload.
  }
}

/** Forgets the conversation (signing out does this, so the next person starts afresh). */
export function forgetConversation() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** @param {import("../types.js").PageContext} ctx */
export function mountChat(ctx) {
  const state = loadState();
  const canChat = hasRole(ctx.principal, "operator");
  const notices = createNotices();
  const log = h("ol", { class: "transcript", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const conversation = h("p", { class: "muted conversation-id" });
  const showConversation = () => replace(conversation, state.conversationId ? `Conversation ${state.conversationId}` : "New conversation");
  const input = h("textarea", { id: "chat-input", name: "message", rows: 3, maxlength: 4000, "aria-describedby": "chat-hint" });
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const stop = h("button", { type: "button", hidden: true, onclick: () => current?.abort() }, "Stop");
  const reset = h("button", { type: "button", onclick: () => startOver() }, "New conversation");
  /** @type {AbortController | null} */
  let current = null;
  ctx.signal.addEventListener("abort", () => current?.abort(), { once: true });

  const startOver = () => {
    current?.abort();
    state.conversationId = null;
    state.messages = [];
    saveState(state);
    replace(log);
    showConversation();
    notices.clear();
    input.focus();
  };

  /** @param {string} text */
  const ask = async (text) => {
    const question = newMessage("user", text);
    const answer = { ...newMessage("assistant"), streaming: true };
    state.messages.push(question, answer);
    log.append(messageView(question).el);
    const view = messageView(answer);
    log.append(view.el);
    log.setAttribute("aria-busy", "true");
    send.disabled = true;
    stop.hidden = false;
    notices.clear();
    current = new AbortController();
    const body = state.conversationId ? { message: text, conversation_id: state.conversationId } : { message: text };
    try {
      await openEventStream("/api/v1/chat", {
        body,
        signal: current.signal,
        onEvent: (event) => {
          const data = eventData(event);
          if ((event.event === "meta" || event.event === "done") && typeof data?.conversation_id === "string") {
            state.conversationId = data.conversation_id;
            showConversation();
          }
          view.apply(event.event, data);
          view.el.scrollIntoView({ block: "end" });
        },
      });
    } catch (error) {
      if (isAbort(error)) view.apply("error", { code: "stopped", message: ctx.signal.aborted ? "The answer stopped when you left the page." : "You stopped the answer." });
      else {
        view.apply("error", { code: error instanceof ApiError ? error.code : "error", message: /** @type {Error} */ (error).message });
        notices.error(error, "The question was not answered");
        // The server no longer knows this conversation (another user, a reset database): start afresh.
        if (error instanceof ApiError && error.code === "conversation_not_found") {
          state.conversationId = null;
          showConversation();
        }
      }
    } finally {
      view.finish();
      log.setAttribute("aria-busy", "false");
      send.disabled = false;
      stop.hidden = true;
      current = null;
      saveState(state);
    }
  };

  /** @param {SubmitEvent} event */
  const submit = (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || current) return;
    input.value = "";
    void ask(text);
  };
  // Enter sends, Shift+Enter starts a new line (as in most chats).
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      /** @type {HTMLFormElement} */ (input.form).requestSubmit();
    }
  });

  for (const m of state.messages) log.append(messageView(m).el);
  showConversation();
  const form = canChat
    ? h(
        "form",
        { class: "chat-form", onsubmit: submit },
        h("label", { for: "chat-input" }, "Ask the supervisor"),
        input,
        h("p", { id: "chat-hint", class: "hint" }, "Enter sends, Shift+Enter starts a new line. Anything that would change the platform goes through the policy gate as you."),
        h("div", { class: "actions" }, send, stop, reset),
        h("div", { class: "examples" }, h("span", { class: "muted" }, "Try: "), EXAMPLES.map((q) => h("button", { type: "button", class: "link", onclick: () => ((input.value = q), input.focus()) }, q))),
      )
    : h("p", { class: "notice notice-info" }, `Asking the supervisor needs the operator role; you are signed in as ${ctx.principal.role}.`);
  replace(ctx.root, h("section", { class: "chat" }, h("h1", { tabindex: -1 }, "Chat"), conversation, log, notices.el, form));
}
