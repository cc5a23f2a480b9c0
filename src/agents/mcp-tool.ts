/** One tool of an MCP server, offered to the model under its own name; the call goes over the process's shared connection. */

import type { ToolDefinition } from '../chat/chat-types.js';
import { ToolFailure, type AgentTool, type ToolOutput } from './agent-tool.js';
import type { McpConnections, McpListedTool, McpServerAddress } from './mcp-connections.js';

export class McpTool implements AgentTool {
  readonly definition: ToolDefinition;
  readonly #connections: McpConnections;
  readonly #server: McpServerAddress;
  readonly timeoutMs: number;

  constructor(listed: McpListedTool, server: McpServerAddress, connections: McpConnections, timeoutMs: number) {
    this.definition = { name: listed.name, description: listed.description ?? '', parameters: listed.inputSchema };
    this.#connections = connections;
    this.#server = server;
    this.timeoutMs = timeoutMs;
  }

  async invoke(args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutput> {
    const outcome = await this.#connections.callTool(this.#server, this.definition.name, args, signal, this.timeoutMs);
    if (outcome.isError) throw new ToolFailure(outcome.text || `the MCP tool ${this.definition.name} failed`);
    return { content: outcome.text };
  }
}
