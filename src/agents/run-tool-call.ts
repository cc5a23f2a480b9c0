/** One tool call of the loop: arguments validated, the tool run under its timeout; any failure becomes an error result. */

import type { ToolCall } from '../chat/chat-types.js';
import type { Citation } from './agent-tool.js';
import type { ToolSet } from './agent-toolbox.js';
import type { AgentRunListener } from './agent-runner.js';

/** What the reply and the stream say of a call: the result only as a short summary. */
export interface ToolCallRecord {
  id: string;
  name: string;
  arguments: string;
  ok: boolean;
  durationMs: number;
  summary: string;
}

export interface ToolCallOutcome {
  record: ToolCallRecord;
  /** What the model reads. */
  content: string;
  citations?: Citation[];
}

const SUMMARY_CHARS = 200;

function summarize(content: string): string {
  return content.length <= SUMMARY_CHARS ? content : `${content.slice(0, SUMMARY_CHARS - 1)}…`;
}

export async function runToolCall(call: ToolCall, tools: ToolSet, timeoutMs: number, signal: AbortSignal, listener: AgentRunListener | undefined): Promise<ToolCallOutcome> {
  await listener?.toolCall?.(call);
  const started = performance.now();
  let content: string;
  let ok = false;
  let citations: Citation[] | undefined;
  const tool = tools.tools.get(call.function.name);
  if (!tool) {
    content = `Error: there is no tool named "${call.function.name}".`;
  } else {
    const parsed = tools.validator.parse(tool.definition.parameters ?? {}, call.function.arguments);
    if (!parsed.ok) {
      content = `Error: ${parsed.message}.`;
    } else {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const output = await tool.invoke(parsed.value, AbortSignal.any([signal, timeout]));
        content = output.content;
        citations = output.citations;
        ok = true;
      } catch (error) {
        if (signal.aborted) content = 'Error: the turn was cancelled.';
        else if (timeout.aborted) content = `Error: the tool did not answer within ${timeoutMs} ms.`;
        else content = `Error: ${(error as Error).message}`;
      }
    }
  }
  const record: ToolCallRecord = { id: call.id, name: call.function.name, arguments: call.function.arguments, ok, durationMs: Math.round((performance.now() - started) * 1000) / 1000, summary: summarize(content) };
  await listener?.toolResult?.(record);
  return { record, content, citations };
}
