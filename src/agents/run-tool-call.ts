/** One tool call of the loop: arguments validated, the tool run under its timeout; any failure becomes an error result. */

import type { ToolCall } from '../chat/chat-types.js';
import type { ModelCallListener } from '../models/route-embedder.js';
import type { Span } from '../telemetry/tracing.js';
import { endToolSpan, startToolSpan } from '../telemetry/gen-ai-spans.js';
import { ToolFailure, type Citation } from './agent-tool.js';
import type { ToolSet } from './agent-toolbox.js';
import { LinkedAbort } from './linked-abort.js';
import type { AgentRunListener, ToolCallRecord } from './agent-run-types.js';

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

/** `parent` is the run-agent stage's span: each call gets an `execute_tool {name}` child when tracing is on. `modelCalled` bills a tool's own model calls. */
export async function runToolCall(call: ToolCall, tools: ToolSet, timeoutMs: number, signal: AbortSignal, listener: AgentRunListener | undefined, parent?: Span, modelCalled?: ModelCallListener): Promise<ToolCallOutcome> {
  await listener?.toolCall?.(call);
  const started = performance.now();
  let content: string;
  let ok = false;
  let citations: Citation[] | undefined;
  const tool = tools.tools.get(call.function.name);
  const span = parent?.enabled
    ? startToolSpan(parent, { name: call.function.name, callId: call.id, type: tool?.spanType ?? 'extension', description: tool?.definition.description, arguments: call.function.arguments })
    : undefined;
  if (!tool) {
    content = `Error: there is no tool named "${call.function.name}".`;
  } else {
    const parsed = tools.validator.parse(tool.definition.parameters ?? {}, call.function.arguments);
    if (!parsed.ok) {
      content = `Error: ${parsed.message}.`;
    } else {
      // The tool's own timeout and the agent's per-tool limit: the shorter one applies.
      const limitMs = Math.min(timeoutMs, tool.timeoutMs ?? timeoutMs);
      const timeout = new LinkedAbort(signal, limitMs);
      try {
        const output = await tool.invoke(parsed.value, timeout.signal, span, modelCalled);
        content = output.content;
        citations = output.citations;
        ok = true;
      } catch (error) {
        if (signal.aborted) content = 'Error: the turn was cancelled.';
        else if (timeout.timedOut) content = `Error: the tool did not answer within ${limitMs} ms.`;
        else content = `Error: ${(error as Error).message}`;
      } finally {
        timeout.dispose();
      }
    }
  }
  if (span) endToolSpan(span, ok ? { result: content } : { error: new ToolFailure(content) });
  const record: ToolCallRecord = { id: call.id, name: call.function.name, arguments: call.function.arguments, ok, durationMs: Math.round((performance.now() - started) * 1000) / 1000, summary: summarize(content) };
  await listener?.toolResult?.(record);
  return { record, content, citations };
}
