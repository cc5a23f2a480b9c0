/** The schema of a `POST /v1/chat/completions` body: every field OpenAI defines that Switchboard models, refused by name when malformed. */

import { z } from 'zod';

/**
 * A message's content: a string, null, or an array of parts. Text parts are joined; any other part (an image, audio
 * or a file) is refused naming its `type`, because the neutral chat types carry text only and dropping it would
 * answer a question the client did not ask.
 */
const contentSchema = z.unknown().transform((content, context): string | undefined => {
  if (typeof content === 'string') return content;
  // Absent stays absent, for the message check below; null is OpenAI's "no text" (an assistant that only called tools).
  if (content === undefined) return undefined;
  if (content === null) return '';
  if (!Array.isArray(content)) {
    context.addIssue({ code: 'custom', message: 'content must be a string, null or an array of text parts' });
    return z.NEVER;
  }
  let text = '';
  for (let index = 0; index < content.length; index++) {
    const part: unknown = content[index];
    const type = typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : undefined;
    if (type !== 'text') {
      const kind = typeof type === 'string' ? `a "${type}" part` : 'a part without a string type';
      context.addIssue({
        code: 'custom',
        path: [index, 'type'],
        message: `${kind} cannot be carried: this endpoint relays text parts only (image, audio and file inputs are not supported by Switchboard's routes)`,
      });
      return z.NEVER;
    }
    const partText = (part as { text?: unknown }).text;
    if (typeof partText !== 'string') {
      context.addIssue({ code: 'custom', path: [index, 'text'], message: 'a text part needs a string text' });
      return z.NEVER;
    }
    text += partText;
  }
  return text;
});

const toolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const chatMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: contentSchema.optional(),
    name: z.string().optional(),
    tool_call_id: z.string().min(1).optional(),
    tool_calls: z.array(toolCallSchema).nullish(),
  })
  .superRefine((message, context) => {
    if (message.content === undefined && !(message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0)) {
      context.addIssue({ code: 'custom', path: ['content'], message: 'content is required (it may be left out only by an assistant message with tool_calls)' });
    }
    if (message.role === 'tool' && message.tool_call_id === undefined) context.addIssue({ code: 'custom', path: ['tool_call_id'], message: "a message with role 'tool' needs the tool_call_id it answers" });
    if (message.tool_calls && message.role !== 'assistant') context.addIssue({ code: 'custom', path: ['tool_calls'], message: 'only assistant messages carry tool_calls' });
  });

/** Both APIs allow these names only. */
const toolNameSchema = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: toolNameSchema,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]);

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const penaltySchema = z.number().min(-2).max(2).nullish();

/**
 * Unknown fields are kept (`loose`): the route passes them on to OpenAI-format pools as they came (vLLM's `top_k`,
 * for example) and refuses them by name for any other provider.
 */
const chatCompletionFields = z.looseObject({
    model: z.string().min(1),
    messages: z.array(chatMessageSchema).min(1).max(1000),
    stream: z.boolean().nullish(),
    max_tokens: z.number().int().positive().max(1_000_000).nullish(),
    max_completion_tokens: z.number().int().positive().max(1_000_000).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    tools: z.array(toolSchema).min(1).max(128).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    response_format: responseFormatSchema.nullish(),
    seed: z.number().int().nullish(),
    n: z.number().int().min(1).max(128).nullish(),
    user: z.string().max(256).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    presence_penalty: penaltySchema,
    frequency_penalty: penaltySchema,
    logit_bias: z.record(z.string().regex(/^\d+$/, 'keys must be token ids'), z.number().min(-100).max(100)).nullish(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
});

export const chatCompletionRequestSchema = chatCompletionFields.superRefine((body, context) => {
    const toolNames = new Set(body.tools?.map((tool) => tool.function.name));
    if (body.tools && toolNames.size !== body.tools.length) context.addIssue({ code: 'custom', path: ['tools'], message: 'each tool must have its own name' });
    const choice = body.tool_choice;
    if (choice !== null && choice !== undefined && choice !== 'none' && !body.tools) context.addIssue({ code: 'custom', path: ['tool_choice'], message: 'tool_choice is only allowed when tools are specified' });
    if (typeof choice === 'object' && choice !== null && body.tools && !toolNames.has(choice.function.name)) {
      context.addIssue({ code: 'custom', path: ['tool_choice', 'function', 'name'], message: `names "${choice.function.name}", which is not in tools` });
    }
    if (body.n !== null && body.n !== undefined && body.n > 1) context.addIssue({ code: 'custom', path: ['n'], message: 'only n = 1 is supported: Switchboard relays one choice per completion' });
    if (body.top_logprobs !== null && body.top_logprobs !== undefined && body.logprobs !== true) context.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs needs logprobs: true' });
    if (body.logprobs === true && body.stream === true) context.addIssue({ code: 'custom', path: ['logprobs'], message: 'logprobs are returned on non-streamed completions only' });
    if (body.metadata && Object.keys(body.metadata).length > 16) context.addIssue({ code: 'custom', path: ['metadata'], message: 'at most 16 entries' });
  });
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** The fields the schema models; any other field of a body is an extra, passed on or refused by the route's provider. */
export const modelledChatFields: ReadonlySet<string> = new Set(Object.keys(chatCompletionFields.shape));
