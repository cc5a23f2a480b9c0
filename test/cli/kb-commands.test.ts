/** `switchboard kb ingest|list|search` as a user runs them: real files, a real SQLite file, the built-in simulator for vectors. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { oneSimulatorConfigYaml } from '../support/one-simulator-config.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-kb-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, contents: string): string {
  const path = join(directory, name);
  writeFileSync(path, contents);
  return path;
}

function configWith(name: string, knowledge: string, store = `store: { kind: sqlite, path: "${join(directory, `${name}.db`)}" }`): string {
  return write(`${name}.yaml`, oneSimulatorConfigYaml(`${store}\nknowledge:\n${knowledge}\n`));
}

const boots = '# Trail Boots\n\nWaterproof leather hiking boots with a Vibram sole for muddy trails.\n';
const catalogue = [
  { id: 'espresso', title: 'Espresso Machine', text: 'A fifteen bar espresso machine with a steam wand.' },
  { id: 'laptop', title: 'Scholar Laptop', text: 'A student laptop with twelve hours of battery.' },
].map((line) => JSON.stringify(line)).join('\n');

describe('switchboard kb', () => {
  it('ingests Markdown and JSONL, lists and searches them, and replaces a document ingested again', () => {
    const config = configWith('bm25', '  shop: { kind: embedded }');
    const files = [write('trail-boots.md', boots), write('catalogue.jsonl', catalogue)];
    const ingest = runCli(['kb', 'ingest', '--kb', 'shop', '--config', config, ...files]);
    assert.equal(ingest.code, 0, ingest.stderr);
    assert.equal(ingest.stdout, 'shop: 3 documents written (3 chunks), 0 unchanged\n');
    const list = runCli(['kb', 'list', '--json', '--config', config]);
    assert.deepEqual(JSON.parse(list.stdout), [{ name: 'shop', kind: 'embedded', search: 'bm25', where: join(directory, 'bm25.db'), documents: 3, chunks: 3, dimensions: 0 }]);
    const search = runCli(['kb', 'search', '--kb', 'shop', '--json', '--config', config, 'muddy', 'hiking', 'boots']);
    assert.equal(search.code, 0, search.stderr);
    const [first] = JSON.parse(search.stdout) as { documentId: string; chunkId: string; title: string }[];
    assert.deepEqual([first?.documentId, first?.chunkId, first?.title], ['trail-boots', 'trail-boots#0', 'Trail Boots']);

    write('trail-boots.md', '# Trail Boots\n\nNow with a felt sole for wading rivers.\n');
    const again = runCli(['kb', 'ingest', '--kb', 'shop', '--config', config, ...files]);
    assert.equal(again.stdout, 'shop: 1 documents written (1 chunks), 2 unchanged\n');
    assert.equal(runCli(['kb', 'search', '--kb', 'shop', '--config', config, 'vibram']).stdout, 'no passages in shop match\n');
    const table = runCli(['kb', 'search', '--kb', 'shop', '--top', '1', '--config', config, 'felt sole']).stdout;
    assert.match(table, /^1\. trail-boots#0 {2}0\.\d{4} {2}Trail Boots\n {3}# Trail Boots Now with a felt sole for wading rivers\.\n$/);
  });

  it('embeds chunks through the knowledge base\'s embeddings route, served by the built-in simulator', () => {
    const config = configWith('vectors', '  shop: { kind: embedded, embeddingsRoute: demo }');
    const ingest = runCli(['kb', 'ingest', '--kb', 'shop', '--config', config, write('catalogue-v.jsonl', catalogue)]);
    assert.equal(ingest.code, 0, ingest.stderr);
    const list = JSON.parse(runCli(['kb', 'list', '--json', '--config', config]).stdout) as { search: string; dimensions: number }[];
    assert.deepEqual([list[0]?.search, list[0]?.dimensions], ['bm25+vectors(demo)', 256]);
    // A misspelling BM25 cannot match: only the vectors find it.
    const search = runCli(['kb', 'search', '--kb', 'shop', '--json', '--config', config, 'expresso']);
    assert.equal((JSON.parse(search.stdout) as { documentId: string }[])[0]?.documentId, 'espresso', search.stdout + search.stderr);
  });

  it('says what is wrong and writes nothing: unknown kb, an HTTP kb, a store without a file, a bad JSONL line, no --kb', () => {
    const config = configWith('errors', '  shop: { kind: embedded }\n  wiki: { kind: http, url: "http://127.0.0.1:1/search" }');
    const file = write('ok.md', boots);
    const unknown = runCli(['kb', 'ingest', '--kb', 'shopp', '--config', config, file]);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'switchboard kb ingest: unknown knowledge base "shopp"; configured: shop, wiki\n']);
    const http = runCli(['kb', 'ingest', '--kb', 'wiki', '--config', config, file]);
    assert.deepEqual([http.code, http.stderr], [1, 'switchboard kb ingest: knowledge base "wiki" is kind http: its documents live in the search service at http://127.0.0.1:1/search; ingest them there\n']);
    const bad = runCli(['kb', 'ingest', '--kb', 'shop', '--config', config, file, write('bad.jsonl', '{"id": "a", "text": "fine"}\n{"id": "b", "body": "x"}\n')]);
    assert.deepEqual([bad.code, bad.stderr], [1, `switchboard kb ingest: ${join(directory, 'bad.jsonl')}:2: unknown field "body"; a line has id, text and optionally title\n`]);
    assert.equal(JSON.parse(runCli(['kb', 'list', '--json', '--config', config]).stdout)[0].documents, 0, 'the good file of a failed ingest was not written either');
    const memory = configWith('memory', '  shop: { kind: embedded, sources: ["' + file + '"] }', 'store: { kind: memory }');
    const inMemory = runCli(['kb', 'ingest', '--kb', 'shop', '--config', memory, file]);
    assert.deepEqual([inMemory.code, inMemory.stderr], [1, 'switchboard kb ingest: the memory store cannot hold knowledge base "shop": list the files under knowledge.shop.sources (indexed in each process at start) or use kind: http\n']);
    // The memory store's index is built from sources, so searching it still works.
    assert.match(runCli(['kb', 'search', '--kb', 'shop', '--config', memory, 'vibram']).stdout, /^1\. ok#0 /);
    const usage = runCli(['kb', 'ingest', '--config', config, file]);
    assert.deepEqual([usage.code, usage.stderr], [2, 'switchboard kb ingest: --kb is required\n']);
    const http404 = runCli(['kb', 'search', '--kb', 'wiki', '--config', config, 'boots']);
    assert.equal(http404.code, 1);
    assert.match(http404.stderr, /^switchboard kb search: knowledge base "wiki" \(http:\/\/127\.0\.0\.1:1\/search\): /);
  });
});
