/** A document of a knowledge base and how the files `kb ingest` reads (Markdown, text, JSONL) become documents. */

import { basename, extname } from 'node:path';

export interface KnowledgeDocument {
  /** Stable across ingests: ingesting a document with the same id replaces it. */
  id: string;
  title?: string;
  text: string;
}

export const documentIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

const JSONL_FIELDS = new Set(['id', 'title', 'text']);

/** The documents of one file's contents, by its extension; throws naming the file, line and field of any fault. */
export function parseKnowledgeFile(path: string, contents: string): KnowledgeDocument[] {
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl') return parseJsonLines(path, contents);
  if (extension === '.md' || extension === '.markdown' || extension === '.txt') {
    const id = basename(path, extname(path));
    if (!documentIdPattern.test(id)) throw new Error(`${path}: the file name "${id}" is not a document id (letters, digits, ".", "_", ":", "/", "-"; up to 200)`);
    const text = contents.trim();
    if (text.length === 0) throw new Error(`${path}: the file is empty`);
    const heading = extension === '.txt' ? undefined : /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
    return [heading ? { id, title: heading, text } : { id, text }];
  }
  throw new Error(`${path}: cannot ingest ${extension || 'a file without extension'}; expected .md, .markdown, .txt or .jsonl`);
}

function parseJsonLines(path: string, contents: string): KnowledgeDocument[] {
  const documents: KnowledgeDocument[] = [];
  const seen = new Set<string>();
  for (const [index, line] of contents.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: each line must be a JSON object with id and text`);
    const record = value as Record<string, unknown>;
    for (const field of Object.keys(record)) if (!JSONL_FIELDS.has(field)) throw new Error(`${where}: unknown field "${field}"; a line has id, text and optionally title`);
    if (typeof record.id !== 'string' || !documentIdPattern.test(record.id)) throw new Error(`${where}: id must be a document id (letters, digits, ".", "_", ":", "/", "-"; up to 200)`);
    if (typeof record.text !== 'string' || record.text.trim() === '') throw new Error(`${where}: text must be a non-empty string`);
    if (record.title !== undefined && typeof record.title !== 'string') throw new Error(`${where}: title must be a string`);
    if (seen.has(record.id)) throw new Error(`${where}: id "${record.id}" appears twice in the file`);
    seen.add(record.id);
    documents.push(record.title === undefined ? { id: record.id, text: record.text } : { id: record.id, title: record.title, text: record.text });
  }
  if (documents.length === 0) throw new Error(`${path}: no documents`);
  return documents;
}
