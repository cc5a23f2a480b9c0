import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from '../../src/lab/llm-simulator.js';
import { simulatedEmbedding } from '../../src/lab/simulated-embedding.js';
import { getText, metricValue, post } from './simulator-client.js';

const started: LlmSimulator[] = [];

async function simulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulator> {
  const instance = await startLlmSimulator(options);
  started.push(instance);
  return instance;
}

after(() => Promise.all(started.map((instance) => instance.close())));

interface EmbeddingList {
  object: string;
  model: string;
  data: { object: string; index: number; embedding: number[] | string }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  for (let index = 0; index < left.length; index++) dot += left[index]! * right[index]!;
  return dot;
}

function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(cosine(vector, vector));
}

async function embed(instance: LlmSimulator, body: Record<string, unknown>): Promise<EmbeddingList> {
  const response = await post(instance.url, '/v1/embeddings', body);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as EmbeddingList;
}

test('an embeddings list in OpenAI shape: unit vectors of 256 dimensions, one per input, with usage', async () => {
  const instance = await simulator();
  const texts = ['Where is my order?', 'Track my order please', 'The weather in Oslo is cold'];
  const body = await embed(instance, { model: 'text-embedding-sim', input: texts });
  assert.equal(body.object, 'list');
  assert.equal(body.model, 'text-embedding-sim');
  assert.deepEqual(body.data.map((item) => [item.object, item.index]), [['embedding', 0], ['embedding', 1], ['embedding', 2]]);
  const vectors = body.data.map((item) => item.embedding as number[]);
  for (const vector of vectors) {
    assert.equal(vector.length, 256);
    assert.ok(Math.abs(norm(vector) - 1) < 1e-5);
  }
  const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  assert.deepEqual(body.usage, { prompt_tokens: tokens, total_tokens: tokens });
});

test('texts sharing words score a higher cosine than unrelated ones, and the same text gives the same vector', async () => {
  const instance = await simulator({ seed: 1 });
  const other = await simulator({ seed: 99, modelName: 'other' });
  const pairs: [string, string, string][] = [
    ['Where is my order?', 'Has my order shipped yet?', 'The weather in Oslo is cold'],
    ['refund for a broken blender', 'my blender arrived broken, I want a refund', 'what time does the store open'],
    ['red cotton shirt size M', 'shirts in red, medium size', 'delivery to Norway'],
  ];
  for (const [anchor, similar, unrelated] of pairs) {
    const [a, s, u] = (await embed(instance, { input: [anchor, similar, unrelated] })).data.map((item) => item.embedding as number[]);
    assert.ok(cosine(a!, s!) > cosine(a!, u!) + 0.1, `${anchor}: similar ${cosine(a!, s!)} vs unrelated ${cosine(a!, u!)}`);
  }
  const once = (await embed(instance, { input: 'Where is my order?' })).data[0]!.embedding;
  const again = (await embed(other, { input: ['Where is my order?'], model: 'x' })).data[0]!.embedding;
  assert.deepEqual(again, once, 'independent of the seed, the model and the request');
});

test('dimensions and base64 are honoured; base64 carries the same float32 values', async () => {
  const instance = await simulator();
  const small = await embed(instance, { input: 'hello world', dimensions: 64 });
  assert.equal((small.data[0]!.embedding as number[]).length, 64);
  const floats = (await embed(instance, { input: 'hello world', dimensions: 1536 })).data[0]!.embedding as number[];
  const encoded = (await embed(instance, { input: 'hello world', dimensions: 1536, encoding_format: 'base64' })).data[0]!.embedding as string;
  const bytes = Buffer.from(encoded, 'base64');
  const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  assert.equal(decoded.length, 1536);
  assert.deepEqual(Array.from(decoded), floats.map((value) => Math.fround(value)));
  assert.deepEqual(Array.from(simulatedEmbedding('hello world', 1536)), Array.from(decoded));
});

test('the official openai client reads them (it asks for base64 and decodes)', async () => {
  const instance = await simulator();
  const client = new OpenAI({ apiKey: 'unused', baseURL: `${instance.url}/v1`, maxRetries: 0 });
  const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['order status', 'order status'], dimensions: 32 });
  assert.equal(result.data.length, 2);
  assert.equal(result.data[0]!.embedding.length, 32);
  assert.deepEqual(result.data[0]!.embedding, Array.from(simulatedEmbedding('order status', 32)));
  await assert.rejects(client.embeddings.create({ model: 'm', input: '' }), (error: unknown) => error instanceof OpenAI.BadRequestError);
});

test('bad input gets an OpenAI-shaped 400 and is not counted; good requests are counted in /metrics', async () => {
  const instance = await simulator();
  const cases: [unknown, string][] = [
    [{ input: '' }, 'input'],
    [{ input: [] }, 'input'],
    [{ input: ['ok', 3] }, 'input'],
    [{ input: [[1, 2, 3]] }, 'input'],
    [{ input: ['ok', ''] }, 'input[1]'],
    [{ input: 5 }, 'input'],
    [{}, 'input'],
    [{ input: 'x', dimensions: 0 }, 'dimensions'],
    [{ input: 'x', dimensions: 1.5 }, 'dimensions'],
    [{ input: 'x', encoding_format: 'int8' }, 'encoding_format'],
    [{ input: 'x', model: '' }, 'model'],
    [{ input: 'x', temperature: 1 }, 'temperature'],
    [{ input: 'x'.repeat(4 * 8192 + 1) }, 'input'],
    [{ input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
    [[], ''],
  ];
  for (const [body, param] of cases) {
    const response = await post(instance.url, '/v1/embeddings', body);
    assert.equal(response.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${response.body}`);
    const error = (JSON.parse(response.body) as { error: { type: string; param: string | null; message: string } }).error;
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param ?? '', param, error.message);
  }
  const notJson = await post(instance.url, '/v1/embeddings', '{"input":');
  assert.equal(notJson.status, 400);
  assert.equal((await getText(instance.url, '/v1/embeddings')).status, 405);
  assert.equal(instance.stats().embeddings, 0);

  await embed(instance, { input: ['one text', 'another text'] });
  await embed(instance, { input: 'third' });
  const metrics = (await getText(instance.url, '/metrics')).body;
  assert.equal(metricValue(metrics, 'switchboard_sim_embedding_requests_total{model_name="switchboard-sim"}'), 2);
  assert.equal(metricValue(metrics, 'switchboard_sim_embedding_inputs_total{model_name="switchboard-sim"}'), 3);
  assert.equal(metricValue(metrics, 'switchboard_sim_embedding_tokens_total{model_name="switchboard-sim"}'), 2 + 3 + 2);
  assert.equal(instance.stats().embeddings, 2);
});

test('errorRate applies to embeddings too, without moving the chat answers', async () => {
  const chatOnly = await simulator({ seed: 4, ttftMs: 1, itlMs: 1, outputTokens: 5 });
  const mixed = await simulator({ seed: 4, ttftMs: 1, itlMs: 1, outputTokens: 5 });
  const chatText = async (instance: LlmSimulator): Promise<string> => {
    const response = await post(instance.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    return (JSON.parse(response.body) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  };
  const expected = [await chatText(chatOnly), await chatText(chatOnly)];
  const seen = [await chatText(mixed)];
  await embed(mixed, { input: 'between two chats' });
  seen.push(await chatText(mixed));
  assert.deepEqual(seen, expected);

  const failing = await simulator({ errorRate: 1 });
  const response = await post(failing.url, '/v1/embeddings', { input: 'x' });
  assert.ok([429, 500, 503].includes(response.status), String(response.status));
  assert.equal(failing.stats().injectedErrors, 1);
});
