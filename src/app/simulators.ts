/** The built-in LLM simulators that `simulator://N` instances name: started when the config asks for them, loaded only then. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { LlmSimulator } from '../lab/llm-simulator.js';

export async function startSimulators(settings: SwitchboardConfig['simulator']): Promise<LlmSimulator[]> {
  if (!settings) return [];
  // Loaded only when configured, so a production start does not pay for it.
  const { startLlmSimulator } = await import('../lab/llm-simulator.js');
  const simulators: LlmSimulator[] = [];
  try {
    for (let index = 0; index < settings.instances; index++) {
      simulators.push(
        await startLlmSimulator({
          host: '127.0.0.1',
          port: 0,
          ttftMs: settings.ttftMs,
          itlMs: settings.itlMs,
          outputTokens: settings.outputTokens,
          maxNumSeqs: settings.maxNumSeqs,
          seed: settings.seed + index,
          blockTokens: settings.blockTokens,
          prefixCacheBlocks: settings.prefixCacheBlocks,
          prefillTokensPerSecond: settings.prefillTokensPerSecond,
          sharedPrefill: settings.sharedPrefill,
        }),
      );
    }
  } catch (error) {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw error;
  }
  return simulators;
}

/** Turns `simulator://N` into the N-th simulator's address; other URLs pass unchanged. */
export function simulatorUrlResolver(simulators: readonly LlmSimulator[]): (url: string) => string {
  return (url) => {
    const match = /^simulator:\/\/(\d+)$/.exec(url);
    return match ? simulators[Number(match[1])]!.url : url;
  };
}
