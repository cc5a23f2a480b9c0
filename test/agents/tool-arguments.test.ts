import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { ToolSet } from '../../src/agents/agent-toolbox.js';
import { HttpTool } from '../../src/agents/http-tool.js';
import { AgentRuntime } from '../../src/agents/agent-runtime.js';
import { McpConnections } from '../../src/agents/mcp-connections.js';
import { runToolCall } from '../../src/agents/run-tool-call.js';
import { ToolArgumentValidator } from '../../src/agents/tool-arguments.js';
import { parseConfig } from '../../src/config/load-config.js';
import { httpToolSchema } from '../../src/config/schemas/agent-tool-schema.js';
import { testConfig } from '../support/test-server.js';

const parameters = { type: 'object', properties: { order_id: { type: 'string', pattern: '^[0-9]{3,12}$' }, express: { type: 'boolean' } }, required: ['order_id'], additionalProperties: false };

describe('tool arguments', () => {
  it('are validated against the schema before the tool runs: a bad call is an error result and the tool is never called', async () => {
    let calls = 0;
    const backend = createServer((request, response) => {
      calls++;
      request.resume();
      response.end('{"status":"shipped"}');
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/orders`;
      const tool = new HttpTool(httpToolSchema.parse({ kind: 'http', name: 'lookup_order', parameters, url }), url);
      const validator = new ToolArgumentValidator();
      validator.prepare(parameters);
      const set: ToolSet = { tools: new Map([['lookup_order', tool]]), definitions: [tool.definition], validator };
      const run = (name: string, args: string) => runToolCall({ id: 'call_1', type: 'function', function: { name, arguments: args } }, set, 60_000, new AbortController().signal, undefined);

      const wrongType = await run('lookup_order', '{"order_id":"12a"}');
      assert.equal(wrongType.record.ok, false);
      assert.match(wrongType.content, /invalid arguments: \/order_id must match pattern/);
      const extra = await run('lookup_order', '{"order_id":"123","coupon":"x"}');
      assert.match(extra.content, /must NOT have additional properties/);
      const missing = await run('lookup_order', '{}');
      assert.match(missing.content, /must have required property 'order_id'/);
      assert.match((await run('lookup_order', '{"order_id":')).content, /not valid JSON/);
      assert.match((await run('lookup_order', '["123"]')).content, /must be a JSON object/);
      assert.match((await run('cancel_order', '{}')).content, /no tool named "cancel_order"/);
      assert.equal(calls, 0);

      const good = await run('lookup_order', '{"order_id":"123","express":true}');
      assert.equal(good.record.ok, true);
      assert.equal(good.content, '{"status":"shipped"}');
      assert.equal(calls, 1);
    } finally {
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
  });

  it('a config with a tool schema that does not compile, or two tools of one name, is refused naming the field', () => {
    const agents = (tools: unknown[]) => ({ agents: { helper: { route: 'demo', tools } }, intent: { defaultAgent: 'helper' } });
    const tool = (name: string, schema: Record<string, unknown>) => ({ kind: 'http', name, url: 'http://127.0.0.1:9/x', parameters: schema });
    // The schema is compiled when the generation builds its agents (ajv is loaded only for configs with tools).
    const config = parseConfig(testConfig(agents([tool('lookup', { type: 'object', properties: { id: { type: 'strin' } } })]) as never));
    const build = () => new AgentRuntime(config.agents, { resolveUrl: (url) => url, retrievers: new Map(), mcp: new McpConnections(), validator: new ToolArgumentValidator(), logger: { warn() {} } });
    assert.throws(build, /agents\.helper\.tools\.0\.parameters: not a valid JSON Schema/);
    assert.throws(() => parseConfig(testConfig(agents([tool('lookup', { type: 'object' }), tool('lookup', { type: 'object' })]) as never)), /agents\.helper\.tools\.1\.name.*another tool named "lookup"/s);
    assert.throws(() => parseConfig(testConfig(agents([tool('lookup', { type: 'array' })]) as never)), /agents\.helper\.tools\.0\.parameters/);
    assert.throws(() => parseConfig(testConfig(agents([{ ...tool('lookup', { type: 'object' }), retries: 3 }]) as never)), /retries/);
  });
});
