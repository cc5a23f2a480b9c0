/** Builds the provider adapter of one instance from its pool's config. */

import type { PoolConfig } from '../../config/config-schema.js';
import { AnthropicProvider } from './anthropic-provider.js';
import type { ChatProvider } from './chat-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';

export function createProvider(config: PoolConfig, baseUrl: string): ChatProvider {
  const common = {
    baseUrl,
    apiKey: config.apiKey,
    apiKeyHeader: config.apiKeyHeader,
    headers: config.headers,
    chatPath: config.chatPath,
    query: config.query,
    connections: config.connections,
    connectTimeoutMs: config.timeouts.connectMs,
  };
  if (config.provider === 'anthropic') return new AnthropicProvider({ ...common, anthropicVersion: config.anthropicVersion, defaultMaxTokens: config.defaultMaxTokens });
  return new OpenAiCompatibleProvider(common);
}
