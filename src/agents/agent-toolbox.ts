/**
 * An agent's tools, built once per config generation: HTTP tools and the retrieval search tool at once, an MCP
 * server's tools listed on first use (over the process's shared connection) and kept. Arguments are validated here.
 */

import type { ToolDefinition } from '../chat/chat-types.js';
import type { AgentConfig } from '../config/config-schema.js';
import type { McpToolsConfig } from '../config/schemas/agent-tool-schema.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { Logger } from '../telemetry/logger.js';
import type { AgentTool } from './agent-tool.js';
import { HttpTool } from './http-tool.js';
import type { McpConnections } from './mcp-connections.js';
import { McpTool } from './mcp-tool.js';
import { RetrievalSearchTool } from './retrieval-tools.js';
import type { ArgumentParser, ToolArgumentValidator } from './tool-arguments.js';

export interface ToolboxDependencies {
  /** Turns a configured URL into the one to call (`demo-orders://…` becomes the demo service's loopback address). */
  resolveUrl: (url: string) => string;
  /** The retrievers by knowledge base name. */
  retrievers: ReadonlyMap<string, Retriever>;
  mcp: McpConnections;
  /** Present when some agent of the generation has tools (ajv is loaded only then). */
  validator: ToolArgumentValidator | undefined;
  logger: Pick<Logger, 'warn'>;
}

export interface ToolSet {
  readonly tools: ReadonlyMap<string, AgentTool>;
  /** What the model is offered, in config order. */
  readonly definitions: readonly ToolDefinition[];
  /** Checks a call's arguments against the tool's schema (compiled when the tool was added). */
  readonly validator: ArgumentParser;
}

/** An agent without tools: nothing to validate, nothing to offer. */
const noTools: ToolSet = {
  tools: new Map(),
  definitions: [],
  validator: { parse: () => ({ ok: false, message: 'the agent has no tools' }) },
};

export class AgentToolbox {
  readonly #agentName: string;
  readonly #fixed: AgentTool[] = [];
  readonly #mcp: McpToolsConfig[];
  readonly #dependencies: ToolboxDependencies;
  #set: ToolSet | undefined;

  get #validator(): ToolArgumentValidator {
    if (!this.#dependencies.validator) throw new Error('an agent with tools in a generation built without the argument validator');
    return this.#dependencies.validator;
  }
  #listing: Promise<ToolSet> | undefined;

  constructor(agentName: string, agent: AgentConfig, dependencies: ToolboxDependencies) {
    this.#agentName = agentName;
    this.#dependencies = dependencies;
    for (const [index, tool] of agent.tools.entries()) {
      if (tool.kind !== 'http') continue;
      const url = dependencies.resolveUrl(tool.url);
      if (!/^https?:\/\//.test(url)) throw new Error(`agents.${agentName}.tools.${index}.url: not an http(s) URL: ${tool.url}`);
      try {
        this.#validator.prepare(tool.parameters);
      } catch (error) {
        throw new Error(`agents.${agentName}.tools.${index}.parameters: not a valid JSON Schema: ${(error as Error).message}`);
      }
      this.#fixed.push(new HttpTool(tool, url));
    }
    if (agent.retrieval?.mode === 'tool') {
      const retriever = dependencies.retrievers.get(agent.retrieval.kb);
      if (retriever) this.#fixed.push(new RetrievalSearchTool(agent.retrieval, retriever));
      else dependencies.logger.warn({ agent: agentName, kb: agent.retrieval.kb }, 'no retriever serves this knowledge base: the agent runs without its search tool');
    }
    for (const tool of this.#fixed) this.#validator.prepare(tool.definition.parameters ?? {});
    this.#mcp = agent.tools.filter((tool): tool is McpToolsConfig => tool.kind === 'mcp');
    if (this.#mcp.length === 0) this.#set = this.#fixed.length === 0 ? noTools : toSet(this.#fixed, this.#validator);
  }

  /** The tools; the first call of an agent with MCP servers lists their tools, and a server that cannot be reached is tried again next turn. */
  tools(signal: AbortSignal): ToolSet | Promise<ToolSet> {
    if (this.#set) return this.#set;
    this.#listing ??= this.#list(signal).finally(() => (this.#listing = undefined));
    return this.#listing;
  }

  async #list(signal: AbortSignal): Promise<ToolSet> {
    const tools = [...this.#fixed];
    let complete = true;
    await Promise.all(
      this.#mcp.map(async (server) => {
        const address = { url: server.url, headers: server.headers };
        try {
          const listed = await this.#dependencies.mcp.listTools(address, signal);
          for (const tool of listed) {
            if (server.tools && !server.tools.includes(tool.name)) continue;
            this.#validator.prepare(tool.inputSchema);
            tools.push(new McpTool(tool, address, this.#dependencies.mcp, server.timeoutMs));
          }
        } catch (error) {
          complete = false;
          this.#dependencies.logger.warn({ agent: this.#agentName, server: server.url, err: (error as Error).message }, 'MCP server unreachable: the turn runs without its tools');
        }
      }),
    );
    const set = toSet(tools, this.#validator);
    if (complete) this.#set = set;
    return set;
  }
}

function toSet(tools: readonly AgentTool[], validator: ToolArgumentValidator): ToolSet {
  const byName = new Map<string, AgentTool>();
  for (const tool of tools) if (!byName.has(tool.definition.name)) byName.set(tool.definition.name, tool);
  return { tools: byName, definitions: [...byName.values()].map((tool) => tool.definition), validator };
}
