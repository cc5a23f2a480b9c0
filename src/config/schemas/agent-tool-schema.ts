/** An agent's tools (HTTP endpoints, MCP servers), its retrieval and the limits of its tool loop. */

import { z } from 'zod';
import { headerNameSchema, nameSchema } from './common-schemas.js';

/** What OpenAI and Anthropic both accept as a function name. */
export const toolNameSchema = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, dashes or underscores');

/** A JSON Schema for a tool's arguments: an object schema (it is compiled with ajv when the config loads). */
const parametersSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === 'object', 'must be a JSON Schema with "type": "object"')
  .default({ type: 'object', properties: {} });

/** Header values may name secrets as `${ENV}`: they are substituted when the config loads, like everywhere else. */
const headersSchema = z.record(headerNameSchema, z.string()).default({});

export const httpToolSchema = z
  .object({
    kind: z.literal('http'),
    name: toolNameSchema,
    description: z.string().default(''),
    parameters: parametersSchema,
    /** The validated arguments are POSTed here as JSON. */
    url: z.string().url(),
    headers: headersSchema,
    timeoutMs: z.number().int().positive().max(300_000).default(5_000),
    /** A longer response is refused (an error result), not truncated: half a JSON document misleads the model. */
    maxResponseBytes: z.number().int().positive().max(10_000_000).default(65_536),
  })
  .strict();

export const mcpToolsSchema = z
  .object({
    kind: z.literal('mcp'),
    /** The server's Streamable HTTP endpoint, for example `http://tools.internal:3000/mcp`. */
    url: z.string().url(),
    headers: headersSchema,
    /** Only these of the server's tools; all of them when absent. */
    tools: z.array(toolNameSchema).min(1).optional(),
    timeoutMs: z.number().int().positive().max(300_000).default(10_000),
  })
  .strict();

export const agentToolSchema = z.discriminatedUnion('kind', [httpToolSchema, mcpToolsSchema]);

export const agentRetrievalSchema = z
  .object({
    kb: nameSchema,
    topK: z.number().int().min(1).max(50).default(4),
    /** `prompt`: the passages join the system prompt and the reply cites them; `tool`: a `search_<kb>` tool the model may call. */
    mode: z.enum(['prompt', 'tool']).default('prompt'),
  })
  .strict();

export const agentLimitsSchema = z
  .object({
    /** Model calls in one turn, the last one included; the loop then stops asking for tools. */
    maxSteps: z.number().int().min(1).max(32).default(5),
    /** A tool that takes longer gives the model an error result. */
    toolTimeoutMs: z.number().int().positive().max(300_000).default(10_000),
    /** The whole turn, every model call and tool included; past it the turn fails and nothing is written. */
    turnDeadlineMs: z.number().int().positive().max(600_000).default(60_000),
    /** Prompt and completion tokens over the turn's model calls; once spent, the next call offers no tools. */
    maxTotalTokens: z.number().int().positive().default(32_000),
  })
  .strict();

export type AgentToolConfig = z.infer<typeof agentToolSchema>;
export type HttpToolConfig = z.infer<typeof httpToolSchema>;
export type McpToolsConfig = z.infer<typeof mcpToolsSchema>;
export type AgentRetrievalConfig = z.infer<typeof agentRetrievalSchema>;
export type AgentLimits = z.infer<typeof agentLimitsSchema>;
