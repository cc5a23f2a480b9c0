/** Reads the files (or every .md, .markdown, .txt and .jsonl file of a directory) that a knowledge base ingests. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseKnowledgeFile, type KnowledgeDocument } from './knowledge-document.js';

const INGESTED_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.jsonl']);

/** The documents of all paths, in order; a document id found in two files is an error naming both. */
export function readKnowledgeFiles(paths: readonly string[]): KnowledgeDocument[] {
  const documents: KnowledgeDocument[] = [];
  const origin = new Map<string, string>();
  for (const file of paths.flatMap(expand)) {
    let contents: string;
    try {
      contents = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    for (const document of parseKnowledgeFile(file, contents)) {
      const earlier = origin.get(document.id);
      if (earlier !== undefined) throw new Error(`${file}: document id "${document.id}" is also in ${earlier}`);
      origin.set(document.id, file);
      documents.push(document);
    }
  }
  return documents;
}

function expand(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!isDirectory) return [path];
  return readdirSync(path)
    .filter((name) => INGESTED_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(path, name));
}
