import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('the official openai client against /v1', () => {
  let server: TestServer;
  let client: OpenAI;
  before(async () => {
    server = await startTestServer({ limits: { tiers: { limited: { requestsPerMinute: 1 } } } });
    client = new OpenAI({ apiKey: server.key, baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  after(() => server.close());

  it('lists the routes as models, then the agents (agent:auto and each by name)', async () => {
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((model) => model.id),
      ['demo', 'agent:auto', 'agent:order-support', 'agent:shopping-advice'],
    );
  });

  it('completes a chat', async () => {
    const completion = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 5 });
    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.choices[0]!.message.content ?? '', /^\[simulated\]/);
    assert.equal(completion.choices[0]!.finish_reason, 'length');
    assert.equal(completion.usage?.completion_tokens, 5);
  });

  it('streams a chat, with usage when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^\[simulated\]/);
    assert.ok(chunks > 3);
    assert.ok(finish === 'stop' || finish === 'length');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  it('raises AuthenticationError on a bad key', async () => {
    const stranger = new OpenAI({ apiKey: 'sb-not-a-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
    await assert.rejects(stranger.models.list(), (error: unknown) => error instanceof OpenAI.AuthenticationError && error.status === 401);
  });

  it('raises BadRequestError on an invalid body, naming the field', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'demo', messages: [] }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /messages/.test(error.message),
    );
  });

  it('raises NotFoundError on an unknown model route', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'no-such-route', messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && (error as InstanceType<typeof OpenAI.NotFoundError>).code === 'model_not_found',
    );
  });

  it('raises RateLimitError past a tenant limit, with Retry-After', async () => {
    const { key } = await server.runtime.store.keys.create({ tenant: 'tenant-limited', tier: 'limited' });
    const limited = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await limited.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'one' }], max_tokens: 2 });
    await assert.rejects(
      limited.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'two' }], max_tokens: 2 }),
      (error: unknown) => error instanceof OpenAI.RateLimitError && Number(error.headers?.get('retry-after')) >= 1,
    );
  });
});
