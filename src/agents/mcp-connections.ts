/**
 * The process's MCP clients: one connection per server (URL and headers) over Streamable HTTP, opened on first
 * use and reused by every turn and every generation; a connection that fails is dropped, so the next use reconnects.
 */

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** The SDK is loaded on the first connection only: a process without MCP tools never pays for it. */
async function loadSdk() {
  const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), import('@modelcontextprotocol/sdk/client/streamableHttp.js')]);
  return { Client, StreamableHTTPClientTransport };
}

export interface McpServerAddress {
  url: string;
  headers: Record<string, string>;
}

export interface McpListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallOutcome {
  text: string;
  isError: boolean;
}

interface ContentPiece {
  type: string;
  text?: string;
}

function key(server: McpServerAddress): string {
  return `${server.url}\n${JSON.stringify(Object.entries(server.headers).sort())}`;
}

export class McpConnections {
  readonly #clients = new Map<string, Promise<Client>>();
  #closed = false;

  #client(server: McpServerAddress): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('the MCP connections are closed'));
    const name = key(server);
    let client = this.#clients.get(name);
    if (!client) {
      client = this.#connect(server);
      this.#clients.set(name, client);
      client.catch(() => this.#clients.delete(name));
    }
    return client;
  }

  async #connect(server: McpServerAddress): Promise<Client> {
    const { Client, StreamableHTTPClientTransport } = await loadSdk();
    const client = new Client({ name: 'switchboard', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
    await client.connect(transport);
    return client;
  }

  /** Drops a connection that failed, so the next call opens a new one. */
  #forget(server: McpServerAddress, client: Client): void {
    const name = key(server);
    void this.#clients.get(name)?.then((current) => {
      if (current !== client) return;
      this.#clients.delete(name);
      void client.close().catch(() => undefined);
    });
  }

  async listTools(server: McpServerAddress, signal?: AbortSignal): Promise<McpListedTool[]> {
    const client = await this.#client(server);
    const tools: McpListedTool[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, { signal });
        for (const tool of page.tools) tools.push({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema as Record<string, unknown> });
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch (error) {
      this.#forget(server, client);
      throw error;
    }
    return tools;
  }

  async callTool(server: McpServerAddress, name: string, args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<McpCallOutcome> {
    const client = await this.#client(server);
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: timeoutMs });
    } catch (error) {
      // A timeout or abort is this call's; anything else may be the connection's.
      if (!signal.aborted && !/timed out/i.test((error as Error).message)) this.#forget(server, client);
      throw error;
    }
    const pieces = (result.content ?? []) as ContentPiece[];
    let text = pieces.map((piece) => (piece.type === 'text' ? (piece.text ?? '') : `[${piece.type}]`)).join('\n');
    if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
    return { text, isError: result.isError === true };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.then((open) => open.close()).catch(() => undefined)));
  }
}
