import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { RunbookChatModel } from "./runbook-model.js";
import { chatDecide } from "./chat.js";

/**
 * The chat's deterministic model: it recognises the operator's question (chat-intents.ts), calls
 * the tools that answer it, and writes the answer from their results. Streamed, the answer comes
 * word by word, as an LLM's tokens would; a tool call comes as one chunk with no text. It binds
 * tools as the cycle's runbook does, and decides on the chat's conversation instead of a task.
 */
export class RunbookChatAssistant extends RunbookChatModel {
  private calls = 0;

  static override lc_name(): string {
    return "RunbookChatAssistant";
  }

  override _llmType(): string {
    return "runbook-chat";
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const message = this.reply(messages, options);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const message = this.reply(messages, options);
    const call = message.tool_calls?.[0];
    if (call) {
      const chunk = new ChatGenerationChunk({
        text: "",
        message: new AIMessageChunk({ content: "", tool_call_chunks: [{ id: call.id, name: call.name, args: JSON.stringify(call.args), index: 0, type: "tool_call_chunk" }] }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken("", undefined, undefined, undefined, undefined, { chunk });
      return;
    }
    // Words with the space before them, so the tokens join back into the answer exactly.
    for (const token of String(message.content).match(/\s*\S+/g) ?? []) {
      options.signal?.throwIfAborted();
      const chunk = new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  /** The runbook's move as a message: a call of a bound tool, or the answer. */
  private reply(messages: BaseMessage[], options: this["ParsedCallOptions"]): AIMessage {
    const decision = chatDecide(messages);
    const bound = new Set((options.tools ?? []).map((t) => t.function?.name).filter(Boolean));
    if (decision.kind === "call" && bound.has(decision.tool)) {
      return new AIMessage({ content: "", tool_calls: [{ id: `rbc_${++this.calls}_${Date.now().toString(36)}`, name: decision.tool, args: decision.args, type: "tool_call" }] });
    }
    const text = decision.kind === "answer" ? decision.text : `I would need ${decision.tool} to answer that, and it is not available to me now.`;
    return new AIMessage({ content: text });
  }
}
