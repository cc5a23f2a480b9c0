/** An HTTP tool: the validated arguments POSTed as JSON to the configured URL; the response body (capped in size) is the result. */

import type { ToolDefinition } from '../chat/chat-types.js';
import type { HttpToolConfig } from '../config/schemas/agent-tool-schema.js';
import { loadUndici } from '../models/providers/load-undici.js';
import { ToolFailure, type AgentTool, type ToolOutput } from './agent-tool.js';

/** The body as text, refused once it passes `limit` bytes: reading stops there, so a huge answer costs no more. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, declared: number, limit: number, url: string): Promise<string> {
  if (declared > limit) {
    body.destroy();
    throw new ToolFailure(`the response of ${url} is ${declared} bytes, over the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      body.destroy();
      throw new ToolFailure(`the response of ${url} is over the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export class HttpTool implements AgentTool {
  readonly definition: ToolDefinition;
  readonly timeoutMs: number;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #maxResponseBytes: number;

  /** `url` is the configured one already resolved (a `demo-orders://` name becomes the loopback address). */
  constructor(config: HttpToolConfig, url: string) {
    this.definition = { name: config.name, description: config.description, parameters: config.parameters };
    this.#url = url;
    this.#headers = { ...config.headers, 'content-type': 'application/json', accept: 'application/json' };
    this.timeoutMs = config.timeoutMs;
    this.#maxResponseBytes = config.maxResponseBytes;
  }

  /** The signal carries the timeout (the loop's, the shorter of this tool's and the agent's). */
  async invoke(args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutput> {
    const { request } = await loadUndici();
    // undici's request rather than fetch: no WHATWG Request, Response and streams per call.
    const response = await request(this.#url, { method: 'POST', headers: this.#headers, body: JSON.stringify(args), signal });
    const declared = Number(response.headers['content-length'] ?? 0);
    const body = await readCapped(response.body, declared, this.#maxResponseBytes, this.#url);
    if (response.statusCode < 200 || response.statusCode >= 300) throw new ToolFailure(`${this.#url} answered ${response.statusCode}: ${body.slice(0, 500)}`);
    return { content: body };
  }
}
