/** The generation's retrievers: the zero-config demo's catalogue and FAQ searchable at start, rebuilt on a swap, in memory for a store without a file. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createRuntime } from '../../src/app/runtime.js';
import { demoConfig } from '../../src/config/demo-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import { SqliteKnowledgeIndex } from '../../src/retrieval/sqlite-knowledge-index.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-generation-kb-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const quiet = { logger: pino({ level: 'silent' }), defaultMetrics: false };

describe('generation retrievers', () => {
  it('ingests the demo shop into the store\'s SQLite file at start and searches it with BM25 and the simulator\'s vectors', async () => {
    const dataDir = join(directory, 'demo');
    const runtime = await createRuntime(parseConfig(demoConfig), { ...quiet, dataDir });
    try {
      const shop = runtime.current.retrievers.get('catalogue');
      assert.ok(shop, 'the demo configures the catalogue knowledge base');
      const boots = await shop.search({ kb: 'catalogue', text: 'waterproof boots for hiking', topK: 3 });
      assert.equal(boots[0]?.documentId, 'sku-1001');
      assert.equal(boots[0]?.title, 'Ridgeline Trail Boots');
      const refunds = await shop.search({ kb: 'catalogue', text: 'how long until my refund arrives', topK: 3 });
      assert.equal(refunds[0]?.documentId, 'faq-returns');
      assert.match(refunds[0]!.text, /Refunds go back to the original payment method within five business days/);
      const index = SqliteKnowledgeIndex.open(join(dataDir, 'switchboard.db'));
      const [summary] = index.summaries();
      index.close();
      assert.equal(summary?.kb, 'catalogue');
      assert.equal(summary?.documents, 37, '31 products and 6 FAQ pages');
      assert.equal(summary?.dimensions, 256);
    } finally {
      await runtime.close();
    }
  });

  it('builds a new generation\'s retrievers from its config, and refuses sources it cannot read, keeping the old generation', async () => {
    const faq = join(directory, 'faq.md');
    writeFileSync(faq, '# Opening hours\n\nThe shop answers the phone from 8 to 20, Monday to Saturday.\n');
    const config = (sources: string[]) =>
      parseConfig({
        logging: { level: 'silent' },
        store: { kind: 'memory' },
        pools: { sim: { model: 'sim', instances: [{ url: 'http://127.0.0.1:9' }] } },
        routes: { demo: { pool: 'sim' } },
        agents: { helper: { route: 'demo' } },
        intent: { defaultAgent: 'helper' },
        knowledge: { help: { kind: 'embedded', sources }, wiki: { kind: 'http', url: 'http://127.0.0.1:1/search' } },
      });
    const runtime = await createRuntime(config([faq]), quiet);
    try {
      const first = runtime.current;
      assert.deepEqual([...first.retrievers.keys()], ['help', 'wiki']);
      const [hours] = await first.retrievers.get('help')!.search({ kb: 'help', text: 'phone opening hours', topK: 1 });
      assert.equal(hours?.documentId, 'faq');
      await assert.rejects(runtime.swap(config([join(directory, 'missing.md')])), /knowledge\.help\.sources: cannot read .*missing\.md/);
      assert.equal(runtime.current, first, 'the old generation keeps serving');
      writeFileSync(faq, '# Opening hours\n\nThe shop answers the phone around the clock.\n');
      const second = await runtime.swap(config([faq]));
      const [clock] = await second.retrievers.get('help')!.search({ kb: 'help', text: 'phone', topK: 1 });
      assert.match(clock!.text, /around the clock/);
    } finally {
      await runtime.close();
    }
  });
});
