import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { ModelRouter } from '../../src/models/model-router.js';

const docPath = new URL('../../../docs/routing.md', import.meta.url);

describe('docs/routing.md', () => {
  it('holds a hybrid example that is a valid config and routes as its text says', () => {
    const text = readFileSync(docPath, 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    assert.ok(yaml, 'the YAML example is there');
    const config = parseConfig(
      // The agents, intents and tier the rules name must exist, or config check refuses them.
      {
        ...(parse(yaml) as object),
        agents: { 'order-support': { route: 'assistant' }, checkout: { route: 'assistant' }, faq: { route: 'assistant' }, greeter: { route: 'assistant', intent: 'greeting' } },
        intent: { defaultAgent: 'order-support' },
        limits: { tiers: { enterprise: { priority: 1 } } },
      },
      'docs/routing.md',
      { OPENAI_API_KEY: 'k', AZURE_OPENAI_KEY: 'k', ANTHROPIC_API_KEY: 'k' },
    );
    const router = new ModelRouter(config, (url) => url);
    const message = (characters: number) => ({ model: '', messages: [{ role: 'user' as const, content: 'x'.repeat(characters) }], maxTokens: 256 });
    assert.equal(router.plan('assistant', message(100), { agent: 'checkout' }).rule, 'critical-flows');
    assert.equal(router.plan('assistant', message(100), { intent: 'faq' }).rule, 'simple-questions');
    assert.equal(router.plan('assistant', message(100), { tier: 'enterprise' }).rule, 'enterprise-premium');
    assert.equal(router.plan('assistant', message(40_000), {}).rule, 'long-prompts');
    assert.equal(router.plan('assistant', message(100), {}).rule, 'default');
    void router.close();
  });

  it('lists every balancer and engine the config accepts', async () => {
    const { balancerNames, engineNames } = await import('../../src/config/config-schema.js');
    const text = readFileSync(docPath, 'utf8');
    for (const name of [...balancerNames, ...engineNames.filter((engine) => engine !== 'none')]) assert.match(text, new RegExp(`\\*\\*${name}\\*\\*|\`${name}\``), name);
  });
});
