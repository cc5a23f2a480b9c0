import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isSwitchboardError } from '../../src/errors.js';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { simulatedEmbedding } from '../../src/lab/simulated-embedding.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { routeEmbedder } from '../../src/models/route-embedder.js';
import { poolConfig, routerConfig } from './instance-fixtures.js';

const started: LlmSimulator[] = [];
after(() => Promise.all(started.map((simulator) => simulator.close())));

async function simulator(errorRate = 0): Promise<LlmSimulator> {
  const instance = await startLlmSimulator({ errorRate, seed: 7 });
  started.push(instance);
  return instance;
}

const signal = new AbortController().signal;

/** The wire carries float32 values in the 9 digits that round-trip; back to float32 they are the simulator's exactly. */
const asFloat32 = (vector: number[]): number[] => vector.map((value) => Math.fround(value));

describe('embeddings through the model router', () => {
  it('returns one vector per text, in order, the simulator\'s own, with the usage it reports', async () => {
    const backend = await simulator();
    const router = new ModelRouter(routerConfig({ vectors: poolConfig({ instances: [{ url: backend.url }], model: 'embedder' }) }, { embed: { pool: 'vectors' } }), (url) => url);
    const texts = ['where is my order', 'a waterproof jacket for hiking', 'where is my order'];
    const { vectors, usage, decision } = await router.embed('embed', texts, signal);
    assert.equal(vectors.length, 3);
    for (const [index, text] of texts.entries()) assert.deepEqual(asFloat32(vectors[index]!), Array.from(simulatedEmbedding(text, vectors[index]!.length)), `vector ${index}`);
    assert.ok(usage.promptTokens > 0 && usage.completionTokens === 0, JSON.stringify(usage));
    assert.equal(decision.pool, 'vectors');
    await router.close();
  });

  it('falls back to the next pool when the first pool fails, like a chat call', async () => {
    const failing = await simulator(1);
    const healthy = await simulator();
    const router = new ModelRouter(
      routerConfig(
        { primary: poolConfig({ instances: [{ url: failing.url }], retry: { attempts: 1 } }), secondary: poolConfig({ instances: [{ url: healthy.url }] }) },
        { embed: { pool: 'primary', fallbacks: ['secondary'] } },
      ),
      (url) => url,
    );
    const embedder = routeEmbedder(router, 'embed');
    const [vector] = await embedder.embed(['hello']);
    assert.deepEqual(asFloat32(vector!), Array.from(simulatedEmbedding('hello', vector!.length)));
    const { decision } = await router.embed('embed', ['hello'], signal);
    assert.equal(decision.pool, 'secondary');
    await router.close();
  });

  it('refuses by name a route whose pool speaks Anthropic\'s format, which has no embeddings', async () => {
    const backend = await simulator();
    const router = new ModelRouter(routerConfig({ claude: poolConfig({ instances: [{ url: backend.url }], provider: 'anthropic' }) }, { embed: { pool: 'claude' } }), (url) => url);
    await assert.rejects(router.embed('embed', ['hello'], signal), (error: unknown) => isSwitchboardError(error) && error.code === 'invalid_request' && /without embeddings/.test(error.message));
    await router.close();
  });

  it('asks nothing of the backend for no texts', async () => {
    const router = new ModelRouter(routerConfig({ vectors: poolConfig({ instances: [{ url: 'http://127.0.0.1:9' }] }) }, { embed: { pool: 'vectors' } }), (url) => url);
    assert.deepEqual(await routeEmbedder(router, 'embed').embed([]), []);
    await router.close();
  });
});
