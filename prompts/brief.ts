/**
 * A brief is the structured part of a message the graph sends to a model: a fenced JSON block
 * after a line "Context:". Real LLMs read it as data; the runbook model parses it to decide.
 */
const FENCE = "```json";

/** Renders `context` as the fenced JSON block of a brief, preceded by a title line. */
export function renderBrief(title: string, context: object): string {
  return `${title}\n\nContext:\n${FENCE}\n${JSON.stringify(context, null, 2)}\n\`\`\``;
}

/** Extracts the JSON context of a brief rendered by `renderBrief`; null when there is none. */
export function parseBrief<T = unknown>(text: string): T | null {
  const start = text.indexOf(`Context:\n${FENCE}\n`);
  if (start < 0) return null;
  const from = start + `Context:\n${FENCE}\n`.length;
  const end = text.indexOf("\n```", from);
  if (end < 0) return null;
  try {
    return JSON.parse(text.slice(from, end)) as T;
  } catch {
    return null;
  }
}
