/** Reads and validates a JSON body: 415, 413, 400 for bad JSON, 400 naming the bad field. */

import type { z } from 'zod';
import { SwitchboardError } from '../errors.js';
import type { HttpExchange } from './http-exchange.js';

/** Fatal decoding: invalid UTF-8 is refused rather than silently replaced. One decoder serves every request (whole-buffer decodes keep no state). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as parsed JSON and as raw bytes; an empty body is `undefined`. */
export async function readJsonBody(exchange: HttpExchange, limitBytes: number): Promise<{ value: unknown; raw: Buffer }> {
  const contentType = exchange.header('content-type');
  const raw = await exchange.readBody(limitBytes);
  if (raw.length === 0) return { value: undefined, raw };
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new SwitchboardError('unsupported_media_type', `Expected content-type application/json, got ${contentType.slice(0, 100)}.`);
  }
  try {
    return { value: JSON.parse(utf8.decode(raw)), raw };
  } catch (error) {
    throw new SwitchboardError('invalid_json', `The body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

export async function parseJsonBody<Schema extends z.ZodType>(exchange: HttpExchange, schema: Schema, limitBytes: number, optional = false): Promise<z.infer<Schema>> {
  const { value } = await readJsonBody(exchange, limitBytes);
  if (value === undefined && !optional) throw new SwitchboardError('invalid_json', 'The request needs a JSON body.');
  return parseValue(value ?? {}, schema);
}

export function parseValue<Schema extends z.ZodType>(value: unknown, schema: Schema): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw new SwitchboardError('invalid_request', field ? `Invalid field "${field}": ${issue.message}` : `Invalid body: ${issue.message}`, { param: field || undefined });
}
