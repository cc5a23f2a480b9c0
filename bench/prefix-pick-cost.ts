/**
 * CPU per pick of the prefix-aware balancer, in this process: a shared-prefix-workload prompt (8,000-token system
 * prompt and a few turns) hashed and scored over four instances, against the queue-aware balancer on the same
 * instances. Process CPU time (process.cpuUsage) over many picks, so the figure is the routing cost alone.
 */

import type { ChatMessage } from '../src/chat/chat-types.js';
import { PrefixAwareBalancer } from '../src/models/balancers/prefix-aware-balancer.js';
import { PromptPrefixHasher } from '../src/models/balancers/prompt-prefix-hasher.js';
import { QueueAwareBalancer } from '../src/models/balancers/queue-aware-balancer.js';
import type { Balancer, BalanceRequest } from '../src/models/balancers/balancer.js';
import { InstanceState } from '../src/models/instance-state.js';
import type { ChatProvider } from '../src/models/providers/chat-provider.js';
import { systemPrompt } from './shared-prefix-workload.js';

export interface PickCost {
  promptCharacters: number;
  /** Microseconds of CPU per call. */
  hashUs: number;
  prefixAwarePickUs: number;
  queueAwarePickUs: number;
}

const unusedProvider: ChatProvider = {
  instance: 'unused',
  call: () => Promise.reject(new Error('not used')),
  stream: () => Promise.reject(new Error('not used')),
  close: () => Promise.resolve(),
};

function cpuMicroseconds(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function perCall(count: number, work: (index: number) => void): number {
  for (let index = 0; index < 2_000; index++) work(index);
  const start = cpuMicroseconds();
  for (let index = 0; index < count; index++) work(index);
  return (cpuMicroseconds() - start) / count;
}

export function measurePickCost(picks = 20_000): PickCost {
  const options = { prefixWeight: 3, queueWeight: 2, kvCacheWeight: 2, inFlightWeight: 0.01, maxWaiting: 5, maxKvCacheUsage: 0.8, blockCharacters: 256, maxBlocks: 256, lruBlocks: 8_192, overloadRatio: 1.5, overloadGap: 16 };
  const instances = [0, 1, 2, 3].map(
    (index) =>
      new InstanceState({
        pool: 'bench', name: `engine-${index}`, url: `http://engine-${index}`, metricsUrl: `http://engine-${index}/metrics`, index, provider: unusedProvider, weight: 1, maxConcurrency: Infinity,
        breaker: { failureRate: 0.5, minimumCalls: 5, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 }, scraped: true, staleAfterMs: 1e12, maxWaiting: 5, maxKvCacheUsage: 0.8, failurePenaltyMs: 1_000,
      }),
  );
  for (const instance of instances) instance.updateLoad(1, 10, 0.3, 0);
  // 48 tenants' conversations (8,000-token system prompts), three turns in: what a pick of the shared-prefix workload hashes.
  const prompts = Array.from({ length: 48 }, (_, tenant) => {
    const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt(tenant, 32_000) }];
    for (let turn = 0; turn < 3; turn++) {
      messages.push({ role: 'user', content: `Question ${turn + 1}: what is the refund rule for my order? Please answer in detail with reasons.` });
      messages.push({ role: 'assistant', content: '[simulated] refund within thirty days with the receipt, the label is free, the carrier collects it.' });
    }
    return { messages };
  });
  const request: BalanceRequest = { affinityKey: undefined, now: 1, prompt: prompts[0] };
  const hasher = new PromptPrefixHasher(options.blockCharacters, options.maxBlocks);
  const prefixAware: Balancer = new PrefixAwareBalancer(instances.length, options);
  const queueAware: Balancer = new QueueAwareBalancer(options);
  return {
    promptCharacters: prompts[0]!.messages.reduce((sum, message) => sum + message.content.length, 0),
    hashUs: perCall(picks, (index) => hasher.hash(prompts[index % prompts.length]!)),
    prefixAwarePickUs: perCall(picks, (index) => {
      request.prompt = prompts[index % prompts.length];
      prefixAware.pick(instances, request);
    }),
    queueAwarePickUs: perCall(picks, (index) => {
      request.prompt = prompts[index % prompts.length];
      queueAware.pick(instances, request);
    }),
  };
}
