/** Reads a YAML config, substitutes `${ENV}` references and validates it, with errors that name the bad field. */

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configObjectSchema } from './config-object-schema.js';
import { referenceIssuesOfInvalid } from './config-problems.js';
import { configSchema, type ConfigInput, type SwitchboardConfig } from './config-schema.js';
import { issueLines } from './issue-messages.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const envReference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Where substitution happened: values read from the environment are strings, coerced later where the field wants a number or a boolean. */
export interface Substitutions {
  missing: string[];
  /** Dotted paths of the strings that held a `${NAME}`. */
  substituted: Set<string>;
}

/** Replaces `${NAME}` and `${NAME:-default}` in every string; a missing variable without a default is an error. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], missing: string[] = [], substituted = new Set<string>()): unknown {
  if (typeof value === 'string') {
    let replaced = false;
    const result = value.replace(envReference, (_match, name: string, fallback: string | undefined) => {
      replaced = true;
      const found = env[name];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      missing.push(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      return '';
    });
    if (replaced) substituted.add(path.join('.'));
    return result;
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, [...path, String(index)], missing, substituted));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = substituteEnv(item, env, [...path, key], missing, substituted);
    return result;
  }
  return value;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], input?: unknown): string[] {
  return issues.flatMap((issue) => issueLines(issue, configObjectSchema, input));
}

const parseOnce = { jitless: true } as const;

const numberText = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** The substituted string as the number or boolean the field expects, or undefined when it is not one. */
function coerced(text: string, expected: string): number | boolean | undefined {
  if (expected === 'number' && numberText.test(text)) return Number(text);
  if (expected === 'boolean' && /^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === 'true';
  return undefined;
}

/**
 * Sets each substituted string that a number or boolean field refused to that type, in place;
 * whether any changed. A literal string in the file is left alone: it says what it means.
 */
function coerceSubstituted(input: unknown, issues: readonly z.core.$ZodIssue[], substituted: ReadonlySet<string>): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean') || issue.path.length === 0) continue;
    if (!substituted.has(issue.path.join('.'))) continue;
    let parent: unknown = input;
    for (const segment of issue.path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Record<PropertyKey, unknown>)[segment] : undefined;
    if (parent === null || typeof parent !== 'object') continue;
    const container = parent as Record<PropertyKey, unknown>;
    const key = issue.path[issue.path.length - 1]!;
    const value = container[key];
    if (typeof value !== 'string') continue;
    const replacement = coerced(value, issue.expected);
    if (replacement === undefined) continue;
    container[key] = replacement;
    changed = true;
  }
  return changed;
}

/**
 * Validates an already-parsed config object. On failure every problem is reported at once:
 * missing variables, schema problems, and the cross-references among the parts that are valid.
 */
export function parseConfig(input: unknown, source = '(inline)', env: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  const missing: string[] = [];
  const substituted = new Set<string>();
  const value = substituteEnv(input, env, [], missing, substituted);
  // jitless: a config is parsed once per start or reload, and zod's compiled fast path for an
  // object (code generated with `new Function` on its first parse) costs more to make than it saves
  // on one parse (~5 ms of a start). The schema and its result are the same either way.
  let result = configSchema.safeParse(value, parseOnce);
  // Each pass fixes the fields zod reached; a union or a section behind another may need one more.
  for (let pass = 0; pass < 4 && !result.success && coerceSubstituted(value, result.error.issues, substituted); pass++) result = configSchema.safeParse(value, parseOnce);
  if (result.success && missing.length === 0) return result.data;
  const missingPaths = new Set(missing.map((problem) => problem.slice(0, problem.indexOf(':'))));
  const issues = result.success ? [] : result.error.issues.filter((issue) => !missingPaths.has(issue.path.join('.') || '(root)'));
  // zod checks cross-references only once everything else is valid; check them anyway (a problem found twice is listed once).
  const references = referenceIssuesOfInvalid(value);
  const problems = [...missing, ...formatIssues(issues, value), ...formatIssues(references, value)];
  throw new ConfigError(source, [...new Set(problems)]);
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(path, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return parseConfig(parsed ?? {}, path, env);
}

export type { ConfigInput };
