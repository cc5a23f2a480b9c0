/** An HTTP tool: the validated arguments POSTed as JSON to the configured URL; the response body (capped in size) is the result. */

import type { ToolDefinition } from '../chat/chat-types.js';
import type { HttpToolConfig } from '../config/schemas/agent-tool-schema.js';
import { ToolFailure, type AgentTool, type ToolOutput } from './agent-tool.js';

/** The body as text, refused once it passes `limit` bytes: reading stops there, so a huge answer costs no more. */
async function readCapped(response: Response, limit: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) throw new ToolFailure(`the response of ${url} is ${declared} bytes, over the limit of ${limit} bytes`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ToolFailure(`the response of ${url} is over the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class HttpTool implements AgentTool {
  readonly definition: ToolDefinition;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;

  /** `url` is the configured one already resolved (a `demo-orders://` name becomes the loopback address). */
  constructor(config: HttpToolConfig, url: string) {
    this.definition = { name: config.name, description: config.description, parameters: config.parameters };
    this.#url = url;
    this.#headers = { ...config.headers, 'content-type': 'application/json', accept: 'application/json' };
    this.#timeoutMs = config.timeoutMs;
    this.#maxResponseBytes = config.maxResponseBytes;
  }

  async invoke(args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutput> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      const response = await fetch(this.#url, { method: 'POST', headers: this.#headers, body: JSON.stringify(args), signal: combined });
      const body = await readCapped(response, this.#maxResponseBytes, this.#url);
      if (!response.ok) throw new ToolFailure(`${this.#url} answered ${response.status}: ${body.slice(0, 500)}`);
      return { content: body };
    } catch (error) {
      if (timeout.aborted && !signal.aborted) throw new ToolFailure(`${this.#url} did not answer within ${this.#timeoutMs} ms`);
      throw error;
    }
  }
}
