/** `switchboard kb ingest|list|search`: the knowledge bases that agents retrieve from (docs/retrieval.md). */

import { intFlag, stringFlag, UsageError, type Command, type OptionSpec } from '../command.js';
import type { KnowledgeWorkspace } from '../open-knowledge.js';

const workspaceOptions: OptionSpec = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
};
const workspaceHelp = `  --config FILE    the config whose knowledge bases and store to use (default: $SWITCHBOARD_CONFIG,
                   else the built-in demo config)
  --data-dir DIR   SQLite store directory when no config names a store path (default: ./data)
  -h, --help       show this help`;

async function withWorkspace<T>(values: Record<string, string | boolean | undefined>, work: (workspace: KnowledgeWorkspace) => Promise<T>): Promise<T> {
  // Loaded on use, so `switchboard --help` loads neither SQLite nor the router.
  const { openKnowledgeWorkspace } = await import('../open-knowledge.js');
  const workspace = openKnowledgeWorkspace(stringFlag(values, 'config'), stringFlag(values, 'data-dir') ?? './data');
  try {
    return await work(workspace);
  } finally {
    await workspace.close();
  }
}

function requiredKb(values: Record<string, string | boolean | undefined>, command: string): string {
  const kb = stringFlag(values, 'kb');
  if (!kb) throw new UsageError(`${command}: --kb is required`);
  return kb;
}

export const kbIngestCommand: Command = {
  path: ['kb', 'ingest'],
  summary: 'Ingest Markdown, text or JSONL files into an embedded knowledge base',
  usage: `Usage: switchboard kb ingest --kb NAME [--config FILE] [--data-dir DIR] FILE|DIR...

Chunks each document with overlap (knowledge.NAME.chunking), embeds the chunks when the
knowledge base has an embeddingsRoute, and writes them to the SQLite store's file. A
document ingested again replaces its earlier version; unchanged documents are skipped.
  .md, .markdown  one document, id = file name without extension, title = first # heading
  .txt            one document, id = file name without extension
  .jsonl          one document per line: {"id": "...", "title": "...", "text": "..."}
A directory stands for its .md, .markdown, .txt and .jsonl files.

Options:
  --kb NAME        the knowledge base (required; configured under knowledge:)
${workspaceHelp}`,
  options: { ...workspaceOptions, kb: { type: 'string' } },
  positionals: true,
  async run({ values, positionals }) {
    const name = requiredKb(values, 'kb ingest');
    if (positionals.length === 0) throw new UsageError('kb ingest: give at least one file or directory to ingest');
    const report = await withWorkspace(values, async (workspace) => {
      const kb = workspace.knowledgeBase(name);
      if (kb.kind === 'http') throw new Error(`knowledge base "${name}" is kind http: its documents live in the search service at ${kb.url}; ingest them there`);
      if (workspace.sqlitePath === undefined) {
        throw new Error(`the ${workspace.config.store.kind} store cannot hold knowledge base "${name}": list the files under knowledge.${name}.sources (indexed in each process at start) or use kind: http`);
      }
      const [{ readKnowledgeFiles }, { ingestDocuments }, { SqliteKnowledgeIndex }, { routeEmbedder }] = await Promise.all([
        import('../../retrieval/read-knowledge-files.js'),
        import('../../retrieval/ingest-documents.js'),
        import('../../retrieval/sqlite-knowledge-index.js'),
        import('../../models/route-embedder.js'),
      ]);
      const documents = readKnowledgeFiles(positionals);
      const embedder = kb.embeddingsRoute === undefined ? undefined : routeEmbedder(await workspace.router(), kb.embeddingsRoute);
      const index = SqliteKnowledgeIndex.open(workspace.sqlitePath);
      try {
        return await ingestDocuments(index, name, documents, { chunking: kb.chunking, embedder, embeddingsRoute: kb.embeddingsRoute });
      } finally {
        index.close();
      }
    });
    process.stdout.write(`${name}: ${report.written} documents written (${report.chunks} chunks), ${report.unchanged} unchanged\n`);
  },
};

export const kbListCommand: Command = {
  path: ['kb', 'list'],
  summary: 'List the configured knowledge bases with their documents and chunks',
  usage: `Usage: switchboard kb list [--json] [--config FILE] [--data-dir DIR]

Options:
  --json           one JSON array instead of a table
${workspaceHelp}`,
  options: { ...workspaceOptions, json: { type: 'boolean' } },
  async run({ values }) {
    const rows = await withWorkspace(values, async (workspace) => {
      const stored = new Map<string, { documents: number; chunks: number; dimensions: number }>();
      if (workspace.sqlitePath !== undefined && Object.values(workspace.config.knowledge).some((kb) => kb.kind === 'embedded')) {
        const { SqliteKnowledgeIndex } = await import('../../retrieval/sqlite-knowledge-index.js');
        const index = SqliteKnowledgeIndex.open(workspace.sqlitePath);
        try {
          for (const summary of index.summaries()) stored.set(summary.kb, summary);
        } finally {
          index.close();
        }
      }
      return Object.entries(workspace.config.knowledge).map(([name, kb]) => {
        const counts = kb.kind === 'embedded' && workspace.sqlitePath !== undefined ? (stored.get(name) ?? { documents: 0, chunks: 0, dimensions: 0 }) : undefined;
        const where = kb.kind === 'http' ? kb.url : workspace.sqlitePath === undefined ? 'in each process, from sources' : workspace.sqlitePath;
        const search = kb.kind === 'http' ? 'http' : kb.embeddingsRoute === undefined ? 'bm25' : `bm25+vectors(${kb.embeddingsRoute})`;
        return { name, kind: kb.kind, search, where, documents: counts?.documents ?? null, chunks: counts?.chunks ?? null, dimensions: counts?.dimensions ?? null };
      });
    });
    if (values.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    if (rows.length === 0) {
      process.stdout.write('no knowledge bases configured (see docs/retrieval.md)\n');
      return;
    }
    const table = [['NAME', 'KIND', 'SEARCH', 'DOCUMENTS', 'CHUNKS', 'WHERE'], ...rows.map((row) => [row.name, row.kind, row.search, String(row.documents ?? '-'), String(row.chunks ?? '-'), row.where])];
    const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
    process.stdout.write(table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n');
  },
};

export const kbSearchCommand: Command = {
  path: ['kb', 'search'],
  summary: 'Search a knowledge base as an agent would and print the passages',
  usage: `Usage: switchboard kb search --kb NAME [--top K] [--json] [--config FILE] [--data-dir DIR] QUERY...

Runs the knowledge base's retriever (BM25, fused with vectors when it has an
embeddingsRoute; or its HTTP search service) and prints the passages best first.

Options:
  --kb NAME        the knowledge base (required)
  --top K          how many passages (1-100, default: 5)
  --json           the passages as JSON
${workspaceHelp}`,
  options: { ...workspaceOptions, kb: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }) {
    const name = requiredKb(values, 'kb search');
    const topK = intFlag(values, 'top', 5, 1, 100);
    const text = positionals.join(' ').trim();
    if (text === '') throw new UsageError('kb search: give the query after the options');
    const passages = await withWorkspace(values, async (workspace) => {
      const kb = workspace.knowledgeBase(name);
      const { createRetrievers } = await import('../../retrieval/create-retrievers.js');
      const needsRouter = kb.kind === 'embedded' && kb.embeddingsRoute !== undefined;
      const router = needsRouter ? await workspace.router() : { embed: () => Promise.reject(new Error('no embeddings route')) };
      const knowledge = await createRetrievers({ knowledge: { [name]: kb } }, { sqlitePath: workspace.sqlitePath, router });
      try {
        return await knowledge.retrievers.get(name)!.search({ kb: name, text, topK });
      } finally {
        knowledge.close();
      }
    });
    if (values.json) {
      process.stdout.write(JSON.stringify(passages, null, 2) + '\n');
      return;
    }
    if (passages.length === 0) {
      process.stdout.write(`no passages in ${name} match\n`);
      return;
    }
    for (const [rank, passage] of passages.entries()) {
      const excerpt = passage.text.replace(/\s+/g, ' ');
      process.stdout.write(`${rank + 1}. ${passage.chunkId}  ${passage.score.toFixed(4)}${passage.title ? `  ${passage.title}` : ''}\n   ${excerpt.length > 200 ? `${excerpt.slice(0, 199)}…` : excerpt}\n`);
    }
  },
};
