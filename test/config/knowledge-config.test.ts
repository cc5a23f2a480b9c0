/** The knowledge section: embedded and HTTP knowledge bases, their defaults, and the errors that name the field. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { checkKnowledgeBaseName } from '../../src/config/knowledge-references.js';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';

const base = {
  pools: { sim: { model: 'sim', instances: [{ url: 'http://127.0.0.1:9' }] } },
  routes: { demo: { pool: 'sim' } },
  agents: { helper: { route: 'demo' } },
  intent: { defaultAgent: 'helper' },
};

function problemsOf(input: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig({ ...base, ...input }, '(test)', env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

describe('knowledge config', () => {
  it('has no knowledge bases by default', () => {
    assert.deepEqual(parseConfig(base).knowledge, {});
  });

  it('reads an embedded knowledge base with its defaults and an HTTP one with headers from the environment', () => {
    const config = parseConfig(
      {
        ...base,
        knowledge: {
          shop: { kind: 'embedded', embeddingsRoute: 'demo', sources: ['demo/knowledge'] },
          wiki: { kind: 'http', url: 'https://search.internal/v1/search', headers: { Authorization: 'Bearer ${SEARCH_TOKEN}' } },
        },
      },
      '(test)',
      { SEARCH_TOKEN: 't0ken' },
    );
    assert.deepEqual(config.knowledge.shop, { kind: 'embedded', description: '', embeddingsRoute: 'demo', chunking: { maxChars: 800, overlapChars: 120 }, sources: ['demo/knowledge'] });
    assert.deepEqual(config.knowledge.wiki, { kind: 'http', description: '', url: 'https://search.internal/v1/search', headers: { authorization: 'Bearer t0ken' }, timeoutMs: 2000, maxResponseBytes: 1048576 });
  });

  it('names the bad field', () => {
    assert.deepEqual(problemsOf({ knowledge: { shop: { kind: 'embedded', embeddingsRoute: 'nowhere' } } }), ['knowledge.shop.embeddingsRoute: unknown route "nowhere"']);
    assert.match(problemsOf({ knowledge: { shop: { kind: 'embedded', embeddingsRoute: 'demo2' } } })[0]!, /^knowledge\.shop\.embeddingsRoute: unknown route "demo2".*demo/);
    assert.deepEqual(problemsOf({ knowledge: { shop: { kind: 'embedded', chunking: { maxChars: 300, overlapChars: 300 } } } }), ['knowledge.shop.chunking.overlapChars: overlapChars must be less than maxChars']);
    assert.match(problemsOf({ knowledge: { shop: { kind: 'embedded', source: ['a.md'] } } })[0]!, /^knowledge\.shop: Unrecognized key: "source"/);
    assert.match(problemsOf({ knowledge: { shop: { kind: 'opensearch' } } })[0]!, /^knowledge\.shop\.kind: /);
    assert.match(problemsOf({ knowledge: { wiki: { kind: 'http', url: 'search.internal' } } })[0]!, /^knowledge\.wiki\.url: must be an http/);
    assert.match(problemsOf({ knowledge: { 'bad name!': { kind: 'http', url: 'http://x' } } })[0]!, /^knowledge\.bad name!/);
  });

  it('refuses an embedded knowledge base without sources on a store that keeps no SQLite file, saying what to do instead', () => {
    for (const store of [{ kind: 'memory' }, { kind: 'redis', url: 'redis://127.0.0.1:6379' }, { kind: 'dynamodb', table: 'sb1', region: 'us-east-1' }]) {
      assert.deepEqual(problemsOf({ store, knowledge: { shop: { kind: 'embedded' } } }), [
        `knowledge.shop.sources: the ${store.kind} store cannot hold an embedded knowledge base: give sources (indexed in each process at start) or use kind: http with an external search service`,
      ]);
      assert.deepEqual(problemsOf({ store, knowledge: { shop: { kind: 'embedded', sources: ['catalogue.jsonl'] }, wiki: { kind: 'http', url: 'http://search:9200/kb' } } }), []);
    }
  });

  it('exports the check that a field names a configured knowledge base, for the sections that refer to one', () => {
    const schema = z.object({ knowledge: z.record(z.string(), z.unknown()), agent: z.object({ kb: z.string() }) }).superRefine((config, context) => checkKnowledgeBaseName(config, config.agent.kb, ['agent', 'kb'], context));
    assert.equal(schema.safeParse({ knowledge: { shop: {} }, agent: { kb: 'shop' } }).success, true);
    const failed = schema.safeParse({ knowledge: { shop: {}, wiki: {} }, agent: { kb: 'shopp' } });
    assert.deepEqual(failed.error?.issues.map((issue) => [issue.path.join('.'), issue.message]), [['agent.kb', 'unknown knowledge base "shopp"; configured: shop, wiki']]);
    const none = schema.safeParse({ knowledge: {}, agent: { kb: 'shop' } });
    assert.match(none.error!.issues[0]!.message, /the knowledge section configures none/);
  });

  it('refuses an agent whose retrieval names no configured knowledge base, suggesting the closest, even when that base has a bad field', () => {
    const knowledge = { catalogue: { kind: 'embedded', sources: ['demo/knowledge'] } };
    const agents = (kb: string) => ({ helper: { route: 'demo', retrieval: { kb, topK: 3, mode: 'prompt' } } });
    assert.deepEqual(problemsOf({ knowledge, agents: agents('catalogue') }), []);
    assert.deepEqual(problemsOf({ knowledge, agents: agents('catalog') }), ['agents.helper.retrieval.kb: unknown knowledge "catalog"; did you mean "catalogue"?']);
    assert.deepEqual(problemsOf({ agents: agents('catalogue') }), ['agents.helper.retrieval.kb: unknown knowledge "catalogue"; declare it in knowledge']);
    // A knowledge base with a bad field is one problem, not two: the agent may still name it.
    assert.deepEqual(problemsOf({ knowledge: { catalogue: { kind: 'embedded', sources: ['demo/knowledge'], topk: 3 } }, agents: agents('catalogue') }), ['knowledge.catalogue: Unrecognized key: "topk"']);
  });
});
