import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, ToolMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import type { Runnable } from "@langchain/core/runnables";
import { parseBrief, type TaskBriefContext } from "../../prompts/index.js";
import type { RunbookDecision, SpecialistRunbook, ToolResultView } from "./decision.js";
import { supervisorRunbook } from "./supervisor.js";
import { metricsAnalystRunbook } from "./metrics-analyst.js";
import { dataEngineerRunbook } from "./data-engineer.js";
import { mlEngineerRunbook } from "./ml-engineer.js";
import { devopsRunbook } from "./devops.js";

const SPECIALISTS: Record<string, SpecialistRunbook> = {
  "metrics-analyst": metricsAnalystRunbook,
  "data-engineer": dataEngineerRunbook,
  "ml-engineer": mlEngineerRunbook,
  devops: devopsRunbook,
};

/** Call options of the runbook model: the tools bound with bindTools. */
export interface RunbookCallOptions extends BaseChatModelCallOptions {
  tools?: Array<{ type?: string; function?: { name?: string } }>;
}

/**
 * A LangChain chat model that makes the decisions of the trigger contract deterministically: it
 * reads the agent from the system prompt, the task's context block and the tool results so far,
 * and emits real tool calls. It is the offline default and the fallback when the LLM endpoint
 * fails, so the loop never depends on a network model being up.
 */
export class RunbookChatModel extends BaseChatModel<RunbookCallOptions> {
  private counter = 0;

  constructor(fields: BaseChatModelParams = {}) {
    super(fields);
  }

  static override lc_name(): string {
    return "RunbookChatModel";
  }

  _llmType(): string {
    return "runbook";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<RunbookCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, RunbookCallOptions> {
    return this.withConfig({ tools: tools.map((t) => convertToOpenAITool(t)), ...kwargs } as Partial<RunbookCallOptions>);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const decision = decide(messages);
    const bound = new Set((options.tools ?? []).map((t) => t.function?.name).filter(Boolean));
    let message: AIMessage;
    if (decision.kind === "call" && bound.has(decision.tool)) {
      message = new AIMessage({
        content: decision.say,
        tool_calls: [{ id: `rb_${++this.counter}_${Date.now().toString(36)}`, name: decision.tool, args: decision.args, type: "tool_call" }],
      });
    } else {
      const text = decision.kind === "answer" ? decision.text : `I would call ${decision.tool}, but it is not among my tools.`;
      message = new AIMessage({ content: text });
    }
    const inputTokens = estimateTokens(messages.map((m) => textOf(m)).join("\n"));
    const outputTokens = estimateTokens(textOf(message) + JSON.stringify(message.tool_calls ?? []));
    message.usage_metadata = { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
    return { generations: [{ text: textOf(message), message }], llmOutput: { tokenUsage: { promptTokens: inputTokens, completionTokens: outputTokens } } };
  }
}

/** The runbook's decision for a conversation (exported for tests). */
export function decide(messages: BaseMessage[]): RunbookDecision {
  const system = messages.find((m) => m.getType() === "system");
  const systemText = system ? textOf(system) : "";
  const briefMessage = messages.find((m) => m.getType() === "human" && parseBrief(textOf(m)) !== null);
  const brief = briefMessage ? parseBrief<Record<string, unknown>>(textOf(briefMessage)) : null;
  if (!brief) return { kind: "answer", text: "I could not read the task context, so I will not act." };
  if (/You are the supervisor/.test(systemText)) return supervisorRunbook(brief as Parameters<typeof supervisorRunbook>[0]);
  const agent = /Agent: ([a-z-]+)\./.exec(systemText)?.[1] ?? String(brief.agent ?? "");
  const runbook = SPECIALISTS[agent];
  if (!runbook) return { kind: "answer", text: `I have no runbook for agent "${agent}".` };
  return runbook(brief as unknown as TaskBriefContext, toolResults(messages));
}

/** The tool calls of the conversation paired with their results, in order. */
export function toolResults(messages: BaseMessage[]): ToolResultView[] {
  const args = new Map<string, { name: string; args: Record<string, unknown> }>();
  const out: ToolResultView[] = [];
  for (const m of messages) {
    if (m.getType() === "ai") for (const c of (m as AIMessage).tool_calls ?? []) if (c.id) args.set(c.id, { name: c.name, args: c.args });
    if (m.getType() === "tool") {
      const tm = m as ToolMessage;
      const call = args.get(tm.tool_call_id);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(textOf(m)) as Record<string, unknown>;
      } catch {
        parsed = { status: "unknown", summary: textOf(m) };
      }
      const status = parsed.status;
      out.push({
        tool: call?.name ?? tm.name ?? "unknown",
        args: call?.args ?? {},
        status: status === "success" || status === "no_data" || status === "error" || status === "denied" || status === "rejected" ? status : "unknown",
        summary: String(parsed.summary ?? ""),
        data: (parsed.data ?? undefined) as Record<string, unknown> | undefined,
        error: (parsed.error ?? undefined) as ToolResultView["error"],
      });
    }
  }
  return out;
}

function textOf(message: BaseMessage): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c.map((part) => (typeof part === "string" ? part : "text" in part ? String(part.text) : "")).join("");
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
