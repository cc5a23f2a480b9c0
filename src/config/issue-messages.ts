/** A zod issue as lines (one per unknown key) naming the field, with the closest valid key or value when the input is a near miss. */

import { z } from 'zod';
import { didYouMean } from './closest-name.js';

/** The schema under wrappers that change nothing about which keys or values are valid. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodReadonly) {
      current = current.unwrap() as z.core.$ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.core.$ZodType;
    } else {
      return current;
    }
  }
}

/** The schemas a path may lead to (several under a union). */
function schemasAt(root: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType[] {
  let current = [unwrap(root)];
  for (const segment of path) {
    const next: z.core.$ZodType[] = [];
    for (const schema of current) {
      if (schema instanceof z.ZodObject && typeof segment === 'string' && segment in schema.shape) next.push(unwrap(schema.shape[segment] as z.core.$ZodType));
      else if (schema instanceof z.ZodRecord) next.push(unwrap(schema.valueType as z.core.$ZodType));
      else if (schema instanceof z.ZodArray) next.push(unwrap(schema.element as z.core.$ZodType));
      else if (schema instanceof z.ZodUnion) {
        for (const option of schema.options as z.core.$ZodType[]) {
          const inner = unwrap(option);
          if (inner instanceof z.ZodObject && typeof segment === 'string' && segment in inner.shape) next.push(unwrap(inner.shape[segment] as z.core.$ZodType));
        }
      }
    }
    current = next;
  }
  return current;
}

function keysAt(root: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const options = schema instanceof z.ZodUnion ? (schema.options as z.core.$ZodType[]).map(unwrap) : [schema];
    for (const option of options) if (option instanceof z.ZodObject) for (const key of Object.keys(option.shape)) keys.add(key);
  }
  return [...keys];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** `input` is what was validated, to read the value a near-miss issue refers to. */
export function issueLines(issue: z.core.$ZodIssue, root: z.core.$ZodType, input: unknown): string[] {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const valid = keysAt(root, issue.path);
    return issue.keys.map((key) => `${where}: Unrecognized key: "${key}"${didYouMean(key, valid)}`);
  }
  if (issue.code === 'invalid_value') {
    const given = valueAt(input, issue.path);
    const values = issue.values.filter((value): value is string => typeof value === 'string');
    if (typeof given === 'string' && values.length > 0) return [`${where}: ${issue.message}${didYouMean(given, values)}`];
  }
  return [`${where}: ${issue.message}`];
}
