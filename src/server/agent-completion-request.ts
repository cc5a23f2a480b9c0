/**
 * A chat completion whose `model` names an agent (`agent:NAME`, or `agent:auto` for intent
 * detection): which agent, the history and the user's message, and a refusal by name of every
 * field an agent decides itself (its tools, temperature, response format) rather than dropping it.
 */

import { SwitchboardError } from '../errors.js';
import type { Session, StoredMessage } from '../stores/store-types.js';
import type { ChatCallRequest } from '../chat/chat-types.js';
import type { ChatCompletionRequest } from './chat-completion-schema.js';

export const agentModelPrefix = 'agent:';
/** `agent:auto` lets the intent cascade pick; config refuses an agent named `auto`. */
export const autoAgent = 'auto';

/** The fields an agent completion takes; any other field given a value is refused by name. */
const agentFields: ReadonlySet<string> = new Set(['model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens']);

export interface AgentCompletion {
  /** The agent named, or undefined for `agent:auto`. */
  agent: string | undefined;
  content: string;
  history: StoredMessage[];
}

export function isAgentModel(model: string): boolean {
  return model.startsWith(agentModelPrefix);
}

export function toAgentCompletion(body: ChatCompletionRequest, request: ChatCallRequest, agents: Readonly<Record<string, unknown>>, maxMessageChars: number): AgentCompletion {
  const name = body.model.slice(agentModelPrefix.length);
  if (name !== autoAgent && !Object.hasOwn(agents, name)) {
    const known = Object.keys(agents).map((agent) => `${agentModelPrefix}${agent}`);
    throw new SwitchboardError('model_not_found', `No agent "${name.slice(0, 100)}"; models that name agents: ${[`${agentModelPrefix}${autoAgent}`, ...known].join(', ')}.`, { param: 'model' });
  }
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null || agentFields.has(field)) continue;
    throw new SwitchboardError('invalid_request', `Invalid field "${field}": a model that names an agent runs the agent's own tools, prompt and parameters; leave "${field}" out, or name a model route instead.`, { param: field });
  }
  const messages = request.messages;
  const last = messages.at(-1)!;
  if (last.role !== 'user') {
    throw new SwitchboardError('invalid_request', `Invalid field "messages": the last message must be the user's (got role "${last.role}"); the agent answers it.`, { param: 'messages' });
  }
  if (last.content.length > maxMessageChars) {
    throw new SwitchboardError('invalid_request', `Invalid field "messages": the user's message is longer than ${maxMessageChars} characters.`, { param: 'messages' });
  }
  const at = Date.now();
  const history = messages.slice(0, -1).map((message) => ({ ...message, at }));
  return { agent: name === autoAgent ? undefined : name, content: last.content, history };
}

/** The stand-in session of a stateless agent completion: the caller's history, nothing stored. */
export function agentChatSession(id: string, tenant: string, history: StoredMessage[]): Session {
  const now = Date.now();
  return { id, tenant, version: 0, createdAt: now, updatedAt: now, metadata: {}, messages: history };
}
