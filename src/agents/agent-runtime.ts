/**
 * The agents of one config generation: each agent's toolbox built once, and the retrievers their retrieval uses.
 * The MCP connections and the argument validator belong to the process and are shared by every generation.
 */

import type { Span } from '../telemetry/tracing.js';
import { tracedSearch } from './traced-search.js';
import type { AgentConfig } from '../config/config-schema.js';
import type { ModelCallListener } from '../models/route-embedder.js';
import type { RetrievedPassage, Retriever } from '../retrieval/retriever.js';
import type { Logger } from '../telemetry/logger.js';
import { AgentToolbox } from './agent-toolbox.js';
import type { McpConnections } from './mcp-connections.js';
import type { ToolArgumentValidator } from './tool-arguments.js';

export interface AgentRuntimeDependencies {
  resolveUrl: (url: string) => string;
  /** The retrievers by knowledge base name: the seam where the retrieval part plugs in its implementation. */
  retrievers: ReadonlyMap<string, Retriever>;
  mcp: McpConnections;
  /** Present when some agent has tools: ajv is loaded only then. */
  validator: ToolArgumentValidator | undefined;
  logger: Pick<Logger, 'warn'>;
}

export class AgentRuntime {
  /** By the agent's config object: an experiment variant hands the turn to another agent's config. */
  readonly #toolboxes = new Map<AgentConfig, AgentToolbox>();
  readonly #retrievers: ReadonlyMap<string, Retriever>;

  constructor(agents: Readonly<Record<string, AgentConfig>>, dependencies: AgentRuntimeDependencies) {
    this.#retrievers = dependencies.retrievers;
    for (const [name, agent] of Object.entries(agents)) {
      this.#toolboxes.set(agent, new AgentToolbox(name, agent, dependencies));
      if (agent.retrieval?.mode === 'prompt' && !dependencies.retrievers.has(agent.retrieval.kb)) {
        dependencies.logger.warn({ agent: name, kb: agent.retrieval.kb }, 'no retriever serves this knowledge base: the agent answers without passages');
      }
    }
  }

  toolbox(agent: AgentConfig): AgentToolbox {
    const toolbox = this.#toolboxes.get(agent);
    if (!toolbox) throw new Error('an agent config that is not of this generation');
    return toolbox;
  }

  /** The passages for a `prompt`-mode agent's turn; none when its knowledge base has no retriever here. `modelCalled` bills the query's embedding. */
  async passages(agent: AgentConfig, text: string, signal: AbortSignal, parent?: Span, modelCalled?: ModelCallListener): Promise<RetrievedPassage[] | undefined> {
    const settings = agent.retrieval;
    if (settings?.mode !== 'prompt') return undefined;
    const retriever = this.#retrievers.get(settings.kb);
    if (!retriever) return undefined;
    return tracedSearch(retriever, { kb: settings.kb, text, topK: settings.topK }, signal, parent, modelCalled);
  }
}
