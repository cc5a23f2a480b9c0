import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('shows a configuration example the schema accepts', () => {
    const block = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has a yaml block under Configuration');
    const config = parseConfig(parse(block[1]!), 'README', { OPENAI_API_KEY: 'test' });
    assert.ok(Object.keys(config.pools).length >= 2);
    assert.equal(config.limits.maxInFlight, 10_000);
  });

  it('names the two quick-start commands that CI runs', () => {
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /npm test/);
    assert.match(readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8'), /^npm test$/m);
  });
});
