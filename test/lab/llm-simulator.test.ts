import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from '../../src/lab/llm-simulator.js';
import { getText, metricValue, parseSse, post } from './simulator-client.js';

interface ChatChunk {
  object: string;
  choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

interface ChatCompletion {
  object: string;
  model: string;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const started: LlmSimulator[] = [];

async function simulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulator> {
  const instance = await startLlmSimulator(options);
  started.push(instance);
  return instance;
}

after(async () => {
  await Promise.all(started.map((instance) => instance.close()));
});

/** Polls until `condition` holds; fails after a generous deadline. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'any-model',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** The content deltas, the finish reason and the usage chunk of an OpenAI stream. */
function readChatStream(body: string): { tokens: string[]; finishReason: string | null; usage: ChatChunk['usage']; done: boolean; roleFirst: boolean; usageFields: string[] } {
  const events = parseSse(body);
  const done = events.at(-1)?.data === '[DONE]';
  const chunks = events.filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data) as ChatChunk);
  const tokens: string[] = [];
  let finishReason: string | null = null;
  let usage: ChatChunk['usage'];
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) tokens.push(choice.delta.content);
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  // Per chunk: whether it has a usage field, and whether that is null (as OpenAI sends before the last chunk).
  const usageFields = chunks.map((chunk) => (!('usage' in chunk) ? 'absent' : chunk.usage === null ? 'null' : 'object'));
  return { tokens, finishReason, usage, done, roleFirst: chunks[0]?.choices[0]?.delta.role === 'assistant', usageFields };
}

describe('LLM simulator, OpenAI format', () => {
  test('a non-streamed completion has the OpenAI shape, simulated text and usage', async () => {
    const instance = await simulator({ ttftMs: 5, itlMs: 1, outputTokens: 12 });
    const response = await post(instance.url, '/v1/chat/completions', chat('x'.repeat(41)));
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body) as ChatCompletion;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'any-model');
    assert.equal(body.choices[0]!.message.role, 'assistant');
    assert.match(body.choices[0]!.message.content, /^\[simulated\]( [a-z]+|[,.])+$/);
    assert.equal(body.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(body.usage, { prompt_tokens: 11, completion_tokens: 12, total_tokens: 23 });
  });

  test('a stream opens with the role, sends one chunk per token, then finish, usage and [DONE]', async () => {
    const instance = await simulator({ ttftMs: 5, itlMs: 1, outputTokens: 40 });
    const response = await post(instance.url, '/v1/chat/completions', chat('hello', { stream: true, max_tokens: 9, stream_options: { include_usage: true } }));
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const stream = readChatStream(response.body);
    assert.ok(stream.roleFirst);
    assert.ok(stream.done);
    assert.equal(stream.tokens.length, 9);
    assert.equal(stream.tokens[0], '[simulated]');
    assert.ok(stream.tokens.slice(1).every((token) => /^( [a-z]+|[,.])$/.test(token)));
    assert.equal(stream.finishReason, 'length');
    assert.deepEqual(stream.usage, { prompt_tokens: 2, completion_tokens: 9, total_tokens: 11 });
    assert.deepEqual(stream.usageFields, [...stream.usageFields.slice(0, -1).map(() => 'null'), 'object'], 'usage is null on every chunk but the last');
  });

  test('max_completion_tokens caps the answer and no usage chunk comes unless asked', async () => {
    const instance = await simulator({ ttftMs: 1, itlMs: 1, outputTokens: 30 });
    const streamed = readChatStream((await post(instance.url, '/v1/chat/completions', chat('hi', { stream: true, max_completion_tokens: 4 }))).body);
    assert.equal(streamed.tokens.length, 4);
    assert.equal(streamed.usage, undefined);
    assert.ok(streamed.usageFields.every((field) => field === 'absent'), 'no usage field at all unless asked');
    const whole = JSON.parse((await post(instance.url, '/v1/chat/completions', chat('hi', { max_tokens: 100 }))).body) as ChatCompletion;
    assert.equal(whole.usage.completion_tokens, 30);
    assert.equal(whole.choices[0]!.finish_reason, 'stop');
  });

  test('bad requests get 400/404/405 in OpenAI error shape', async () => {
    const instance = await simulator();
    const badJson = await post(instance.url, '/v1/chat/completions', '{"messages": [');
    assert.equal(badJson.status, 400);
    const badJsonError = (JSON.parse(badJson.body) as { error: { message: string; type: string; code: string } }).error;
    assert.equal(badJsonError.type, 'invalid_request_error');
    assert.match(badJsonError.message, /not valid JSON/);
    assert.equal(typeof badJsonError.code, 'string');

    const noMessages = await post(instance.url, '/v1/chat/completions', { model: 'm' });
    assert.equal(noMessages.status, 400);
    assert.match((JSON.parse(noMessages.body) as { error: { message: string } }).error.message, /messages/);

    const badCap = await post(instance.url, '/v1/chat/completions', chat('x', { max_tokens: 0 }));
    assert.equal(badCap.status, 400);
    assert.match(badCap.body, /max_tokens/);

    const unknown = await post(instance.url, '/v1/nothing', {});
    assert.equal(unknown.status, 404);
    assert.equal((JSON.parse(unknown.body) as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.equal((await getText(instance.url, '/v1/chat/completions')).status, 405);
    assert.equal(instance.stats().completed, 0);
  });

  test('/v1/models lists the model and /health answers 200', async () => {
    const instance = await simulator({ modelName: 'sim-7b' });
    const models = JSON.parse((await getText(instance.url, '/v1/models')).body) as { object: string; data: { id: string; object: string }[] };
    assert.equal(models.object, 'list');
    assert.deepEqual(models.data.map((model) => [model.id, model.object]), [['sim-7b', 'model']]);
    assert.equal((await getText(instance.url, '/health')).status, 200);
    assert.match(instance.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(instance.url, `http://127.0.0.1:${instance.port}`);
  });
});

describe('LLM simulator, Anthropic format', () => {
  test('a non-streamed message has the Messages shape', async () => {
    const instance = await simulator({ ttftMs: 2, itlMs: 1, outputTokens: 10 });
    const response = await post(instance.url, '/v1/messages', {
      model: 'claude-sim',
      max_tokens: 6,
      system: [{ type: 'text', text: 'abcd' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'efgh' }] }],
    });
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body) as { type: string; role: string; model: string; content: { type: string; text: string }[]; stop_reason: string; usage: { input_tokens: number; output_tokens: number } };
    assert.equal(body.type, 'message');
    assert.equal(body.role, 'assistant');
    assert.equal(body.model, 'claude-sim');
    assert.equal(body.content[0]!.type, 'text');
    assert.match(body.content[0]!.text, /^\[simulated\]/);
    assert.equal(body.stop_reason, 'max_tokens');
    assert.deepEqual(body.usage, { input_tokens: 2, output_tokens: 6 });
  });

  test('a stream sends the Messages events in order, with the text deltas matching output_tokens', async () => {
    const instance = await simulator({ ttftMs: 2, itlMs: 1, outputTokens: 7 });
    const response = await post(instance.url, '/v1/messages', { max_tokens: 1024, system: 'be brief', messages: [{ role: 'user', content: 'hello' }], stream: true });
    assert.equal(response.status, 200);
    const events = parseSse(response.body);
    const names = events.map((event) => event.event);
    assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
    assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    for (const event of events) assert.equal((JSON.parse(event.data) as { type: string }).type, event.event);
    const start = JSON.parse(events[0]!.data) as { message: { usage: { input_tokens: number } } };
    assert.equal(start.message.usage.input_tokens, 4);
    const deltas = events.filter((event) => event.event === 'content_block_delta').map((event) => JSON.parse(event.data) as { delta: { type: string; text: string } });
    assert.ok(deltas.every((delta) => delta.delta.type === 'text_delta'));
    const messageDelta = JSON.parse(events.at(-2)!.data) as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    assert.equal(deltas.length, messageDelta.usage.output_tokens);
    assert.equal(deltas.length, 7);
    assert.equal(messageDelta.delta.stop_reason, 'end_turn');
  });

  test('errors come in Anthropic shape: max_tokens is required', async () => {
    const instance = await simulator();
    const response = await post(instance.url, '/v1/messages', { messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.status, 400);
    const body = JSON.parse(response.body) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /max_tokens/);
    const badJson = await post(instance.url, '/v1/messages', 'not json');
    assert.equal(badJson.status, 400);
    assert.equal((JSON.parse(badJson.body) as { type: string }).type, 'error');
  });
});

describe('LLM simulator behaviour', () => {
  test('the same seed and request order give the same texts; another seed does not', async () => {
    const texts = async (seed: number, stream: boolean): Promise<string[]> => {
      const instance = await simulator({ seed, ttftMs: 1, itlMs: 1, outputTokens: 16 });
      const result: string[] = [];
      for (let index = 0; index < 3; index++) {
        const response = await post(instance.url, '/v1/chat/completions', chat(`question ${index}`, { stream }));
        result.push(stream ? readChatStream(response.body).tokens.join('') : (JSON.parse(response.body) as ChatCompletion).choices[0]!.message.content);
      }
      return result;
    };
    const first = await texts(42, false);
    assert.deepEqual(await texts(42, false), first);
    assert.deepEqual(await texts(42, true), first, 'streamed and whole answers agree');
    assert.notDeepEqual(await texts(43, false), first);
    assert.equal(new Set(first).size, 3, 'successive answers differ');
  });

  test('past maxNumSeqs requests wait in the queue: /metrics shows waiting, peak running stays at maxNumSeqs', async () => {
    const maxNumSeqs = 3;
    const instance = await simulator({ maxNumSeqs, ttftMs: 80, itlMs: 10, outputTokens: 15 });
    const requests = Array.from({ length: 2 * maxNumSeqs }, (_, index) => post(instance.url, '/v1/chat/completions', chat(`q${index}`, { stream: true })));
    let maxWaiting = 0;
    let maxRunning = 0;
    let maxKvUsage = 0;
    let settled = false;
    const all = Promise.all(requests).finally(() => {
      settled = true;
    });
    while (!settled) {
      const metrics = (await getText(instance.url, '/metrics')).body;
      maxWaiting = Math.max(maxWaiting, metricValue(metrics, 'vllm:num_requests_waiting{model_name="switchboard-sim"}'));
      maxRunning = Math.max(maxRunning, metricValue(metrics, 'vllm:num_requests_running{model_name="switchboard-sim"}'));
      maxKvUsage = Math.max(maxKvUsage, metricValue(metrics, 'vllm:kv_cache_usage_perc{model_name="switchboard-sim"}'));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const responses = await all;
    assert.ok(responses.every((response) => response.status === 200 && readChatStream(response.body).tokens.length === 15));
    assert.ok(maxWaiting > 0, 'some requests waited');
    assert.ok(maxRunning <= maxNumSeqs && maxRunning > 0);
    assert.ok(maxKvUsage > 0 && maxKvUsage <= 1);
    const stats = instance.stats();
    assert.equal(stats.peakRunning, maxNumSeqs);
    assert.deepEqual([stats.received, stats.completed, stats.running, stats.waiting], [6, 6, 0, 0]);
    // The queued half started only after the first half finished, so its first token came much later.
    const firstTokens = responses.map((response) => response.firstTokenAt! - response.startedAt).sort((left, right) => left - right);
    assert.ok(firstTokens[maxNumSeqs]! > firstTokens[maxNumSeqs - 1]! + 100, `queue wait shows in TTFT: ${firstTokens.map(Math.round).join(', ')}`);
    const metrics = (await getText(instance.url, '/metrics')).body;
    assert.equal(metricValue(metrics, 'vllm:time_to_first_token_seconds_count{model_name="switchboard-sim"}'), 6);
    assert.equal(metricValue(metrics, 'vllm:e2e_request_latency_seconds_bucket{model_name="switchboard-sim",le="+Inf"}'), 6);
    assert.equal(metricValue(metrics, 'vllm:generation_tokens_total{model_name="switchboard-sim"}'), 90);
  });

  test('measured mean TTFT follows the configured one', async () => {
    const meanTtft = async (ttftMs: number): Promise<number> => {
      const instance = await simulator({ ttftMs, itlMs: 5, outputTokens: 3, seed: 7 });
      const responses = await Promise.all(Array.from({ length: 12 }, () => post(instance.url, '/v1/chat/completions', chat('t', { stream: true }))));
      const ttfts = responses.map((response) => response.firstTokenAt! - response.startedAt);
      return ttfts.reduce((sum, value) => sum + value, 0) / ttfts.length;
    };
    const short = await meanTtft(150);
    const long = await meanTtft(450);
    // Jitter is ±10% and lag only adds: the lower bounds are tight, the upper ones absorb a loaded machine
    // (this file may run beside the 2,000-stream test).
    assert.ok(short >= 150 * 0.85 && short < 150 + 400, `mean TTFT ${short} ms for 150 ms`);
    assert.ok(long >= 450 * 0.85 && long < 450 + 400, `mean TTFT ${long} ms for 450 ms`);
    assert.ok(long - short > 150, `TTFT follows the setting: ${short} ms vs ${long} ms`);
  });

  test('errorRate injects 429/500/503 at about that rate, before any token', async () => {
    const instance = await simulator({ errorRate: 0.3, ttftMs: 0, itlMs: 0, outputTokens: 1, seed: 3 });
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(Array.from({ length: 20 }, () => post(instance.url, '/v1/chat/completions', chat('e', { stream: true }))));
      for (const response of responses) {
        statuses.push(response.status);
        if (response.status === 429) assert.equal(response.headers['retry-after'], '1');
        if (response.status !== 200) {
          assert.doesNotMatch(response.body, /data:/);
          assert.equal(typeof (JSON.parse(response.body) as { error: { message: string } }).error.message, 'string');
        }
      }
    }
    const failed = statuses.filter((status) => status !== 200);
    assert.ok(failed.length >= 40 && failed.length <= 80, `${failed.length} of 200 failed`);
    assert.deepEqual([...new Set(failed)].sort(), [429, 500, 503]);
    assert.equal(instance.stats().injectedErrors, failed.length);
    assert.equal(instance.stats().completed, 200 - failed.length);
  });

  test('disconnectRate cuts a stream after at least one token and before [DONE]', async () => {
    const instance = await simulator({ disconnectRate: 1, ttftMs: 5, itlMs: 2, outputTokens: 30 });
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await post(instance.url, '/v1/chat/completions', chat('d', { stream: true }));
      assert.equal(response.status, 200);
      assert.equal(response.complete, false, 'the client saw the connection end mid-response');
      assert.doesNotMatch(response.body, /\[DONE\]/);
      assert.ok(readChatStream(response.body).tokens.length >= 1);
    }
    const whole = await post(instance.url, '/v1/chat/completions', chat('d'));
    assert.equal(whole.status, 200, 'non-streamed answers are not cut');
    const stats = instance.stats();
    assert.deepEqual([stats.disconnects, stats.completed, stats.running], [5, 1, 0]);
  });

  test('a client that goes away frees its slot at once, running or waiting', async () => {
    const instance = await simulator({ maxNumSeqs: 1, ttftMs: 300, itlMs: 20, outputTokens: 1000 });
    const running = post(instance.url, '/v1/chat/completions', chat('first', { stream: true }), { onChunk: (chunk) => chunk.includes('[simulated]') });
    await waitFor(() => instance.stats().running === 1);
    const waiting = post(instance.url, '/v1/chat/completions', chat('second', { stream: true }), { abortAfterMs: 80 });
    await waitFor(() => instance.stats().waiting === 1);
    await waiting;
    await waitFor(() => instance.stats().clientAborts === 1);
    assert.deepEqual([instance.stats().running, instance.stats().waiting], [1, 0], 'the queued request left the queue');
    const aborted = await running;
    assert.ok(aborted.body.includes('[simulated]'));
    await waitFor(() => instance.stats().clientAborts === 2);
    const stats = instance.stats();
    assert.deepEqual([stats.running, stats.waiting, stats.completed], [0, 0, 0]);
  });

  test('a client that leaves mid-stream is counted as cancelled in /metrics; finished and injected cuts are not', async () => {
    const instance = await simulator({ ttftMs: 5, itlMs: 20, outputTokens: 500 });
    const cancelled = (metrics: string): number => metricValue(metrics, 'switchboard_sim_requests_cancelled_total{model_name="switchboard-sim"}');
    assert.equal(cancelled((await getText(instance.url, '/metrics')).body), 0);
    const left = await post(instance.url, '/v1/chat/completions', chat('leave early', { stream: true }), { onChunk: (chunk) => chunk.includes('[simulated]') });
    assert.ok(left.body.includes('[simulated]'));
    await waitFor(() => instance.stats().clientAborts === 1);
    assert.equal(instance.stats().running, 0, 'its sequence left the engine');
    assert.equal(cancelled((await getText(instance.url, '/metrics')).body), 1);
    instance.configure({ itlMs: 0 });
    assert.equal((await post(instance.url, '/v1/chat/completions', chat('stay', { max_tokens: 3 }))).status, 200);
    instance.configure({ disconnectRate: 1 });
    await post(instance.url, '/v1/chat/completions', chat('cut by the backend', { stream: true }));
    const metrics = (await getText(instance.url, '/metrics')).body;
    assert.equal(cancelled(metrics), 1, 'an injected disconnect is the backend leaving, not the client');
    assert.equal(metricValue(metrics, 'vllm:request_success_total{model_name="switchboard-sim",finished_reason="length"}'), 1);
  });

  test('configure() makes a healthy instance sick and back, and rejects bad values', async () => {
    const instance = await simulator({ ttftMs: 5, itlMs: 1, outputTokens: 2 });
    assert.equal((await post(instance.url, '/v1/chat/completions', chat('a'))).status, 200);
    instance.configure({ errorRate: 1 });
    const failed = await post(instance.url, '/v1/messages', { max_tokens: 5, messages: [{ role: 'user', content: 'a' }] });
    assert.ok([429, 500, 503].includes(failed.status));
    assert.equal((JSON.parse(failed.body) as { type: string }).type, 'error');
    instance.configure({ errorRate: 0, stallMs: 300 });
    const stalled = await post(instance.url, '/v1/chat/completions', chat('a', { stream: true }));
    assert.equal(stalled.status, 200);
    assert.ok(stalled.firstTokenAt! - stalled.startedAt >= 290, 'the stall delays the first token');
    instance.configure({ stallMs: 0 });
    const healthy = await post(instance.url, '/v1/chat/completions', chat('a', { stream: true }));
    assert.ok(healthy.firstTokenAt! - healthy.startedAt < 250);
    assert.throws(() => instance.configure({ errorRate: 1.5 }), RangeError);
    assert.throws(() => instance.configure({ itlMs: -1 }), RangeError);
  });

  test('bad options are refused with a clear error', async () => {
    await assert.rejects(startLlmSimulator({ maxNumSeqs: 0 }), /maxNumSeqs/);
    await assert.rejects(startLlmSimulator({ disconnectRate: 2 }), /disconnectRate/);
    await assert.rejects(startLlmSimulator({ port: 70000 }), /port/);
  });

  test('close() ends open streams and frees the port', async () => {
    const instance = await startLlmSimulator({ ttftMs: 1, itlMs: 50, outputTokens: 1000 });
    const open = post(instance.url, '/v1/chat/completions', chat('c', { stream: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await instance.close();
    const response = await open;
    assert.equal(response.complete, false);
    await assert.rejects(fetch(`${instance.url}/health`));
  });
});
