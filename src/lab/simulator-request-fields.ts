/** Small readers shared by the simulator's request parsers: each returns the value or a message that names the bad field. */

import type { PromptParts } from './prompt-blocks.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's problem: the wire formats put `param` in their error bodies. */
export interface FieldProblem {
  ok: false;
  message: string;
  param: string;
}

export function problem(param: string, message: string): FieldProblem {
  return { ok: false, message, param };
}

export function isProblem(value: unknown): value is FieldProblem {
  return isObject(value) && value.ok === false;
}

/** Reads an optional positive-integer token cap; a string result is the error message. */
export function readTokenCap(body: JsonObject, field: string): number | undefined | string {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return `${field} must be a positive integer`;
  return value;
}

export function readOptionalBoolean(body: JsonObject, field: string): boolean | undefined | string {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? value : `${field} must be a boolean`;
}

export function readModel(body: JsonObject, defaultModel: string): string | { error: string } {
  const model = body.model;
  if (model === undefined || model === null) return defaultModel;
  return typeof model === 'string' && model !== '' ? model : { error: 'model must be a non-empty string' };
}

/**
 * Adds the prompt text of a message's content to `parts`: a string, or an array of parts/blocks with `text`
 * (tool results nest `content`, tool uses carry `input`). Images and other media add nothing.
 */
export function collectContent(content: unknown, parts: PromptParts): void {
  if (typeof content === 'string') {
    parts.text(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') parts.text(part.text);
    if (part.content !== undefined) collectContent(part.content, parts);
    if (part.input !== undefined) parts.text(JSON.stringify(part.input));
  }
}

/** The plain text of a content value: a string, or the `text` of its text parts joined by newlines. */
export function plainText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (!isObject(part) || typeof part.text !== 'string') continue;
    text = text === '' ? part.text : `${text}\n${part.text}`;
  }
  return text;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A tool's name as both APIs require it; a FieldProblem names the field. */
export function readToolName(value: unknown, param: string): string | FieldProblem {
  if (typeof value !== 'string' || !TOOL_NAME.test(value)) return problem(param, `${param} must match ^[a-zA-Z0-9_-]{1,64}$, got ${JSON.stringify(value)}`);
  return value;
}

/** A tool's parameter schema: an object schema, or absent (a tool without parameters). */
export function readToolSchema(value: unknown, param: string, required: boolean): JsonObject | FieldProblem {
  if (value === undefined || value === null) {
    return required ? problem(param, `${param}: Field required`) : { type: 'object', properties: {} };
  }
  if (!isObject(value)) return problem(param, `${param} must be a JSON Schema object`);
  if (value.type !== undefined && value.type !== 'object') return problem(`${param}.type`, `${param}.type must be "object", got ${JSON.stringify(value.type)}`);
  if (required && value.type === undefined) return problem(`${param}.type`, `${param}.type: Field required`);
  return value;
}

export function readOptionalString(value: unknown, param: string): string | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : problem(param, `${param} must be a string`);
}
