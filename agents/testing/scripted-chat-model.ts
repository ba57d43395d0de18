import { BaseChatModel, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import type { Runnable } from "@langchain/core/runnables";
import type { RunbookCallOptions } from "../runbook/runbook-model.js";
import type { ModelProvider, ToolSpec } from "../model.js";

/** One scripted reply: a tool call, or text (streamed in `chunks` pieces when the caller streams). */
export type ScriptedChatReply = { call: { name: string; args: Record<string, unknown> } } | { text: string };

/** What the scripted model was asked: the messages and the names of the tools bound to it. */
export interface ScriptedChatCall {
  messages: BaseMessage[];
  tools: string[];
}

/**
 * A chat model for tests that replies from a script, in order (the last reply repeats), and records
 * every call. It streams text replies word by word, the way an LLM streams tokens.
 */
export class ScriptedChatModel extends BaseChatModel<RunbookCallOptions> {
  readonly calls: ScriptedChatCall[] = [];
  private next = 0;

  constructor(private readonly script: readonly ScriptedChatReply[] | ((call: ScriptedChatCall, index: number) => ScriptedChatReply)) {
    super({});
  }

  _llmType(): string {
    return "scripted";
  }

  override bindTools(tools: BindToolsInput[]): Runnable<BaseLanguageModelInput, AIMessageChunk, RunbookCallOptions> {
    return this.withConfig({ tools: tools.map((t) => convertToOpenAITool(t)) } as Partial<RunbookCallOptions>);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const message = this.reply(messages, options);
    return { generations: [{ text: String(message.content), message }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const message = this.reply(messages, options);
    const calls = message.tool_calls ?? [];
    const pieces = calls.length > 0 ? [""] : (String(message.content).match(/\s*\S+/g) ?? [""]);
    for (const [i, text] of pieces.entries()) {
      const chunk = new ChatGenerationChunk({
        text,
        message: new AIMessageChunk({
          content: text,
          tool_call_chunks: i === 0 ? calls.map((c, index) => ({ id: c.id, name: c.name, args: JSON.stringify(c.args), index, type: "tool_call_chunk" as const })) : [],
        }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(text, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  private reply(messages: BaseMessage[], options: this["ParsedCallOptions"]): AIMessage {
    const call: ScriptedChatCall = { messages, tools: (options.tools ?? []).map((t) => t.function?.name ?? "") };
    this.calls.push(call);
    const index = this.next++;
    const reply = typeof this.script === "function" ? this.script(call, index) : this.script[Math.min(index, this.script.length - 1)]!;
    if ("text" in reply) return new AIMessage(reply.text);
    return new AIMessage({ content: "", tool_calls: [{ id: `sc_${index}`, name: reply.call.name, args: reply.call.args, type: "tool_call" }] });
  }
}

/** A provider over a scripted model, for graphs that take one. */
export function scriptedProvider(model: ScriptedChatModel): Pick<ModelProvider, "name" | "bind"> {
  return { name: "scripted", bind: (tools: readonly ToolSpec[]) => model.bindTools(tools.map((t) => ({ name: t.name, description: t.description, schema: t.schema }))) };
}
