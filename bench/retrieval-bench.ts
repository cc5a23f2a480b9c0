/**
 * `npm run bench:retrieval`: the embedded retriever over 100,000 chunks in one SQLite file. Builds a
 * synthetic shop corpus (Zipf-distributed words, about 60 per chunk, the simulator's deterministic
 * 256-dimension vectors), then runs queries through BM25 alone (cold, then over cached postings, and
 * FTS5 ranking the same terms beside it), the vector index alone (the coarse partition's nearest lists,
 * 2-bit codes pick candidates, rescored exactly; every code read beside it, alternating per query; the exact
 * scan for the ratio and the recall; recall and CPU per count of lists probed), and the fused retriever with
 * the query embedded in process, with and without the partition, alternating per query. Latency per search from
 * performance.now, CPU per search from /proc/self/stat over the whole loop. Writes
 * docs/benchmarks-retrieval.json and its section of docs/benchmarks.md.
 *
 * Environment: RETRIEVAL_BENCH_CHUNKS (100000), RETRIEVAL_BENCH_QUERIES (500), RETRIEVAL_BENCH_DOCS_DIR (docs/).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatedEmbedding } from '../src/lab/simulated-embedding.js';
import type { Embedder } from '../src/models/route-embedder.js';
import { EmbeddedRetriever, selectiveTerms } from '../src/retrieval/embedded-retriever.js';
import { matchExpression, queryTerms } from '../src/retrieval/query-terms.js';
import type { IngestedDocument } from '../src/retrieval/sqlite-knowledge-index.js';
import { SqliteKnowledgeIndex } from '../src/retrieval/sqlite-knowledge-index.js';
import { VectorIndex, type VectorIndexOptions } from '../src/retrieval/vector-index.js';
import { percentileOfSorted } from '../src/stats/percentile-of-sorted.js';
import { SeededRandom } from '../src/stats/seeded-random.js';
import { readCpuSeconds } from './bench-process.js';
import { atMost, ms, runContext, table, targetTable, writeJson, writeMarkdownSection } from './bench-report.js';
import { repositoryRoot } from './bench-servers.js';

const chunkCount = Number(process.env.RETRIEVAL_BENCH_CHUNKS ?? 100_000);
const queryCount = Number(process.env.RETRIEVAL_BENCH_QUERIES ?? 500);
const docsDir = process.env.RETRIEVAL_BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
const topK = 5;

interface Measured {
  name: string;
  searches: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuUsPerSearch: number;
}

/** Letters-only pseudo-words, so BM25 and the embeddings see a vocabulary, not numbers. */
function vocabulary(size: number, random: SeededRandom): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ter', 'sun', 'ra', 'vel', 'dor', 'pi', 'nex', 'tra', 'gol', 'fen', 'quo', 'bri', 'sta'];
  const words = new Set<string>();
  while (words.size < size) {
    let word = '';
    const length = 2 + Math.floor(random.next() * 3);
    for (let index = 0; index < length; index++) word += syllables[Math.floor(random.next() * syllables.length)];
    words.add(word);
  }
  return [...words];
}

/** A Zipf(1) sampler over `size` ranks: a few words are everywhere, most are rare, as in real text. */
function zipfSampler(size: number, random: SeededRandom): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) cumulative[rank] = total += 1 / (rank + 1);
  return () => {
    const target = random.next() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/**
 * Two searches side by side: each query runs through `first` then `second` (the order alternating by query), so
 * both see the same load; CPU per search from process.cpuUsage around each call.
 */
async function measurePair(names: [string, string], queries: readonly string[], searches: [(query: string) => unknown, (query: string) => unknown], warmUp: readonly string[]): Promise<[Measured, Measured]> {
  for (const query of warmUp) for (const search of searches) await search(query);
  const latencies: [number[], number[]] = [[], []];
  const cpu = [0, 0];
  for (const [position, query] of queries.entries()) {
    for (const which of position % 2 === 0 ? [0, 1] : [1, 0]) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await searches[which]!(query);
      latencies[which]!.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu[which]! += used.user + used.system;
    }
  }
  return [0, 1].map((which) => {
    const sorted = latencies[which]!.sort((left, right) => left - right);
    return { name: names[which]!, searches: queries.length, p50Ms: percentileOfSorted(sorted, sorted.length, 0.5), p99Ms: percentileOfSorted(sorted, sorted.length, 0.99), maxMs: sorted[sorted.length - 1]!, cpuUsPerSearch: cpu[which]! / queries.length };
  }) as [Measured, Measured];
}

/** Runs every query once after the warm-up ones; a synchronous search is awaited too, which adds only a microtask. */
async function measure(name: string, queries: readonly string[], search: (query: string) => unknown, warmUp: readonly string[] = queries.slice(0, 50)): Promise<Measured> {
  for (const query of warmUp) await search(query);
  const latencies: number[] = [];
  const cpuBefore = readCpuSeconds(process.pid);
  for (const query of queries) {
    const started = performance.now();
    await search(query);
    latencies.push(performance.now() - started);
  }
  const cpuSeconds = readCpuSeconds(process.pid) - cpuBefore;
  latencies.sort((left, right) => left - right);
  return { name, searches: queries.length, p50Ms: percentileOfSorted(latencies, latencies.length, 0.5), p99Ms: percentileOfSorted(latencies, latencies.length, 0.99), maxMs: latencies[latencies.length - 1]!, cpuUsPerSearch: (cpuSeconds * 1e6) / queries.length };
}

async function main(): Promise<void> {
  const context = runContext(`npm run bench:retrieval${chunkCount === 100_000 ? '' : ` (RETRIEVAL_BENCH_CHUNKS=${chunkCount})`}`);
  const random = new SeededRandom(20261201);
  const words = vocabulary(20_000, random);
  const nextWord = zipfSampler(words.length, random);
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-retrieval-bench-'));
  const index = SqliteKnowledgeIndex.open(join(directory, 'switchboard.db'));
  // The same file with the vectors' codes unpartitioned (every code read, as before the coarse partition), side by side.
  const fullScanIndex = SqliteKnowledgeIndex.open(join(directory, 'switchboard.db'), { vectors: { lists: 1 } });
  try {
    const buildStarted = performance.now();
    const perDocument = 4;
    for (let start = 0; start < chunkCount; start += 5000) {
      const documents: IngestedDocument[] = [];
      for (let document = start / perDocument; document < Math.min(chunkCount, start + 5000) / perDocument; document++) {
        const chunks = Array.from({ length: perDocument }, () => {
          const text = Array.from({ length: 60 }, () => words[nextWord()]).join(' ');
          return { text, vector: simulatedEmbedding(text) };
        });
        documents.push({ id: `doc-${document}`, title: `${words[nextWord()]} ${words[nextWord()]}`, contentHash: String(document), chunks });
      }
      index.replaceDocuments('bench', documents);
    }
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const loadStarted = performance.now();
    const vectors = index.vectorsOf('bench')!;
    const loadMs = performance.now() - loadStarted;
    const fullScanLoadStarted = performance.now();
    const fullScanVectors = fullScanIndex.vectorsOf('bench')!;
    const fullScanLoadMs = performance.now() - fullScanLoadStarted;
    const { lists, probes } = vectors.partition;
    // As the server does at start: the common terms' postings fetched before the first search.
    const warmStarted = performance.now();
    index.warmPostings('bench');
    const warmMs = performance.now() - warmStarted;
    console.error(`built ${chunkCount} chunks in ${buildSeconds.toFixed(1)} s; vectors loaded in ${loadMs.toFixed(0)} ms (exact: ${vectors.exact}; partition ${vectors.partitionMs.toFixed(0)} ms, ${lists} lists, ${probes} probed), ${fullScanLoadMs.toFixed(0)} ms unpartitioned; common postings in ${warmMs.toFixed(0)} ms`);

    // Queries of 2-5 words: drawn from the same distribution as the text, so some are common words and some rare.
    // Three sets: the first searches after ingest (cold caches), then unseen queries for BM25 and the vectors, then unseen ones for the fused retriever.
    const querySet = () => Array.from({ length: queryCount }, () => Array.from({ length: 2 + Math.floor(random.next() * 4) }, () => words[nextWord()]).join(' '));
    const coldQueries = querySet();
    const queries = querySet();
    const fusedQueries = querySet();
    const embedder: Embedder = { embed: async (texts) => texts.map((text) => Array.from(simulatedEmbedding(text))) };
    const bm25 = new EmbeddedRetriever({ kb: 'bench', index });
    const hybrid = new EmbeddedRetriever({ kb: 'bench', index, embedder });
    const hybridFullScan = new EmbeddedRetriever({ kb: 'bench', index: fullScanIndex, embedder });
    const queryVectors = new Map([...queries, ...fusedQueries].map((query) => [query, simulatedEmbedding(query)]));
    // The path before cached postings, side by side: FTS5 ranks the MATCH of the same selective terms itself.
    const fts5Terms = (query: string) => selectiveTerms(index, 'bench', queryTerms(query), 0.1);
    const fts5 = (query: string) => index.searchText(matchExpression('bench', fts5Terms(query)), topK * 4);

    const results: Measured[] = [];
    results.push(await measure('BM25, first searches after load (common postings fetched, the rest not)', coldQueries, (query) => bm25.search({ kb: 'bench', text: query, topK }), []));
    results.push(await measure('BM25 (cached postings), unseen queries', queries, (query) => bm25.search({ kb: 'bench', text: query, topK }), coldQueries.slice(0, 50)));
    results.push(await measure('BM25 ranked by FTS5 itself (the previous path)', queries, fts5, coldQueries.slice(0, 50)));
    results.push(
      ...(await measurePair(
        [`vectors: coarse partition (${probes} of ${lists} lists), 2-bit codes, exact rescoring`, 'vectors: 2-bit codes of every chunk, exact rescoring (before the partition)'],
        queries,
        [(query) => vectors.search(queryVectors.get(query)!, topK * 4), (query) => fullScanVectors.search(queryVectors.get(query)!, topK * 4)],
        coldQueries.slice(0, 50).map((query) => { queryVectors.set(query, simulatedEmbedding(query)); return query; }),
      )),
    );
    // The exact scan, for the ratio and recall: the same vectors in an index that never uses sketches.
    const exact = exactScan(index);
    results.push(await measure('vectors: exact scan of every chunk', queries, (query) => exact.search(queryVectors.get(query)!, topK * 4)));
    results.push(
      ...(await measurePair(
        ['fused retriever (BM25 + partitioned vectors, query embedded in process), unseen queries', 'fused retriever, vectors unpartitioned (before), same queries'],
        fusedQueries,
        [(query) => hybrid.search({ kb: 'bench', text: query, topK }), (query) => hybridFullScan.search({ kb: 'bench', text: query, topK })],
        queries.slice(0, 50),
      )),
    );
    // The exact top 5 of each query, once: the reference of every recall below.
    const exactTop = new Map(queries.map((query) => [query, exact.search(queryVectors.get(query)!, topK).ids]));
    // Recall and cost per count of probed lists, on the vector set's queries (the index's own default among them).
    const probeCounts = [...new Set([1, 4, 8, 16, 24, 32, probes, 48, 64, 96, 128, lists].filter((count) => count <= lists))].sort((left, right) => left - right);
    const perProbes = probeCounts.map((count) => {
      const cpuBefore = process.cpuUsage();
      for (const query of queries) vectors.search(queryVectors.get(query)!, topK, count);
      const used = process.cpuUsage(cpuBefore);
      return { probes: count, cpuUsPerSearch: (used.user + used.system) / queries.length, recallAt5: vectorRecall(vectors, exactTop, queries, queryVectors, count) };
    });

    const recallAt5 = vectorRecall(vectors, exactTop, queries, queryVectors);
    const fullScanRecallAt5 = vectorRecall(fullScanVectors, exactTop, queries, queryVectors);
    const previousSketch = exactScan(index, { minCandidates: 400, lists: 1 });
    const previousRecallAt5 = vectorRecall(previousSketch, exactTop, queries, queryVectors);
    // BM25's quality: the same top 5 as FTS5 over the same terms (must be all), and the share of the top 5 over every query word that the selective terms keep.
    let sameAsFts5 = 0;
    let keptOfAllTerms = 0;
    const qualityQueries = queries.slice(0, 100);
    for (const query of qualityQueries) {
      const mine = new Set(index.rankBm25('bench', fts5Terms(query), topK).ids);
      for (const id of index.searchText(matchExpression('bench', fts5Terms(query)), topK)) if (mine.has(id)) sameAsFts5++;
      for (const id of index.searchText(matchExpression('bench', queryTerms(query)), topK)) if (mine.has(id)) keptOfAllTerms++;
    }
    const bm25SameAsFts5 = sameAsFts5 / (qualityQueries.length * topK);
    const bm25RecallOfAllTerms = keptOfAllTerms / (qualityQueries.length * topK);
    const [coldBm25, cachedBm25, ftsBm25, sketch, fullSketch, scan, fused, fusedFullScan] = results as [Measured, Measured, Measured, Measured, Measured, Measured, Measured, Measured];
    const targets = [atMost(`fused retrieval over ${chunkCount.toLocaleString('en-US')} chunks, p99`, fused.p99Ms, 20, ms)];
    const json = { context, chunkCount, queryCount, topK, buildSeconds, vectorLoadMs: loadMs, partitionMs: vectors.partitionMs, fullScanVectorLoadMs: fullScanLoadMs, lists, probes, perProbes, recallAt5, fullScanRecallAt5, previousRecallAt5, bm25SameAsFts5, bm25RecallOfAllTerms, cachedOverFts5Cpu: cachedBm25.cpuUsPerSearch / ftsBm25.cpuUsPerSearch, sketchOverExactCpu: sketch.cpuUsPerSearch / scan.cpuUsPerSearch, partitionedOverFullSketchCpu: sketch.cpuUsPerSearch / fullSketch.cpuUsPerSearch, fusedOverFusedFullScanCpu: fused.cpuUsPerSearch / fusedFullScan.cpuUsPerSearch, results, targets };
    writeJson(join(docsDir, 'benchmarks-retrieval.json'), json);
    const body = `## Retrieval (issue 10)

\`${context.command}\` on ${context.machine.cpuModel} (${context.machine.cpuCount} CPUs, ${context.machine.memoryGiB} GiB), Node ${context.machine.node},
commit ${context.commit.slice(0, 7)}${context.dirty ? ' plus uncommitted changes' : ''}, ${context.date}, load average ${context.loadAverageAtStart} at start.
${chunkCount.toLocaleString('en-US')} chunks of 60 Zipf-distributed words in ${(chunkCount / perDocument).toLocaleString('en-US')} documents, one SQLite file, 256-dimension
simulator vectors; three sets of ${queryCount} queries of 2-5 words (the first searches after ingest; then unseen ones for BM25 and the vectors;
then unseen ones for the fused retriever, each after 50 warm-up queries of the set before), topK ${topK}, one search at a time.
Building the corpus took ${buildSeconds.toFixed(0)} s; loading the vectors into memory (once, and after another process ingests) ${loadMs.toFixed(0)} ms
with the coarse partition (${lists} lists, built in ${vectors.partitionMs.toFixed(0)} ms of it; ${fullScanLoadMs.toFixed(0)} ms unpartitioned),
fetching the common terms' postings (at most 1,000,000) and the best 512 chunks of each term in more than a tenth of them, then too, ${warmMs.toFixed(0)} ms.

${table(
  ['search', 'p50', 'p99', 'max', 'CPU per search'],
  results.map((result) => [result.name, ms(result.p50Ms), ms(result.p99Ms), ms(result.maxMs), `${Math.round(result.cpuUsPerSearch).toLocaleString('en-US')} µs`]),
)}

BM25 over cached postings costs ${(cachedBm25.cpuUsPerSearch / ftsBm25.cpuUsPerSearch).toFixed(3)}× the CPU of FTS5 ranking the same terms (the previous path, same queries);
its top ${topK} is FTS5's in ${(bm25SameAsFts5 * 100).toFixed(1)} % of the places, and holds ${(bm25RecallOfAllTerms * 100).toFixed(1)} % of the top ${topK} that BM25 over every query word finds
(the common-term cut, unchanged; ${qualityQueries.length} queries). The first searches after a load fetch each rarer term's postings from FTS5 (${Math.round(coldBm25.cpuUsPerSearch).toLocaleString('en-US')} µs of CPU per search).
The partitioned path (${probes} of ${lists} lists) costs ${(sketch.cpuUsPerSearch / fullSketch.cpuUsPerSearch).toFixed(2)}× the CPU of reading every 2-bit code (side by side, alternating per query) and ${(sketch.cpuUsPerSearch / scan.cpuUsPerSearch).toFixed(2)}× the exact scan's;
it finds ${(recallAt5 * 100).toFixed(1)} % of the exact top ${topK} (recall@${topK}; every code read: ${(fullScanRecallAt5 * 100).toFixed(1)} %; every code with the earlier 400 rescored candidates: ${(previousRecallAt5 * 100).toFixed(1)} %).
The fused retriever with the partition costs ${(fused.cpuUsPerSearch / fusedFullScan.cpuUsPerSearch).toFixed(2)}× the CPU of the fused retriever over every code (same queries, alternating).

Recall@${topK} and CPU per vector search by lists probed (of ${lists}; ${queryCount} queries, candidates for top ${topK}):

${table(
  ['lists probed', 'share of codes read (about)', 'recall@5', 'CPU per search'],
  perProbes.map((entry) => [String(entry.probes), `${((entry.probes / lists) * 100).toFixed(0)} %`, `${(entry.recallAt5 * 100).toFixed(1)} %`, `${Math.round(entry.cpuUsPerSearch).toLocaleString('en-US')} µs`]),
)}
 The fused retriever runs BM25 for ${topK * 4} candidates, the vector index for ${topK * 4}, fuses them by reciprocal rank and reads ${topK} chunks.

${targetTable(targets)}
`;
    writeMarkdownSection(join(docsDir, 'benchmarks.md'), '<!-- retrieval-bench:start -->', '<!-- retrieval-bench:end -->', body);
    console.log(body);
  } finally {
    index.close();
    fullScanIndex.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A second VectorIndex over the same chunks: by default one that scans every vector. */
function exactScan(index: SqliteKnowledgeIndex, options: VectorIndexOptions = { exactLimit: Number.MAX_SAFE_INTEGER }): VectorIndex {
  const rows = index.readVectors('bench')!;
  return new VectorIndex(rows.ids, rows.vectors, rows.dimensions, options);
}

/** The share of the exact top 5 that `approximate` finds. */
function vectorRecall(approximate: VectorIndex, exact: ReadonlyMap<string, number[]>, queries: readonly string[], queryVectors: ReadonlyMap<string, Float32Array>, probes?: number): number {
  let recalled = 0;
  for (const query of queries) {
    const found = new Set(approximate.search(queryVectors.get(query)!, topK, probes).ids);
    for (const id of exact.get(query)!) if (found.has(id)) recalled++;
  }
  return recalled / (queries.length * topK);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
