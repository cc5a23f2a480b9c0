/** Knowledge bases for retrieval: embedded (SQLite FTS5 and vectors in the store's file) or an external search service over HTTP. */

import { z } from 'zod';
import { headerNameSchema, nameSchema } from './common-schemas.js';

const chunkingSchema = z
  .object({
    maxChars: z.number().int().min(100).max(20_000).default(800),
    overlapChars: z.number().int().min(0).max(10_000).default(120),
  })
  .strict()
  .refine((chunking) => chunking.overlapChars < chunking.maxChars, { message: 'overlapChars must be less than maxChars', path: ['overlapChars'] })
  .default({ maxChars: 800, overlapChars: 120 });

const embeddedKnowledgeSchema = z
  .object({
    kind: z.literal('embedded'),
    description: z.string().default(''),
    /** A route whose pools serve /v1/embeddings: adds vector similarity to BM25. Without it, search is BM25 only. */
    embeddingsRoute: nameSchema.optional(),
    chunking: chunkingSchema,
    /** Files (.md, .markdown, .txt, .jsonl) ingested at start and on reload; unchanged documents are skipped. Relative paths are from the working directory. */
    sources: z.array(z.string().min(1)).default([]),
  })
  .strict();

const httpKnowledgeSchema = z
  .object({
    kind: z.literal('http'),
    description: z.string().default(''),
    /** The search endpoint: POST {kb, query, topK}, answers {passages: [...]} (docs/retrieval.md). */
    url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL'),
    /** Sent with every search, for example `authorization: Bearer ${SEARCH_TOKEN}`. */
    headers: z.record(headerNameSchema, z.string()).default({}),
    timeoutMs: z.number().int().min(1).max(60_000).default(2000),
    maxResponseBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  })
  .strict();

export const knowledgeBaseSchema = z.discriminatedUnion('kind', [embeddedKnowledgeSchema, httpKnowledgeSchema]);

export const knowledgeSchema = z.record(nameSchema, knowledgeBaseSchema).default({});
