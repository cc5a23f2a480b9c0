import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';

const doc = readFileSync(new URL('../../../docs/agents.md', import.meta.url), 'utf8');

describe('docs/agents.md', () => {
  it('shows agents with tools, retrieval and limits that the schema accepts', () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const agents = parse(block) as Record<string, unknown>;
    const config = parseConfig(
      { pools: { main: { model: 'm', instances: [{ url: 'http://127.0.0.1:9' }] } }, routes: { assistant: { pool: 'main' } }, ...agents },
      'docs/agents.md',
      { ORDERS_TOKEN: 'secret' },
    );
    const orders = config.agents['order-support']!;
    assert.deepEqual(orders.tools.map((tool) => tool.kind), ['http', 'mcp']);
    assert.equal(orders.tools[0]!.kind === 'http' && orders.tools[0]!.headers.authorization, 'Bearer secret');
    assert.equal(orders.limits.maxSteps, 5);
    assert.deepEqual(config.agents['shopping-advice']!.retrieval, { kb: 'catalogue', topK: 4, mode: 'prompt' });
  });
});
