/** The shape of one CLI command and the usage error every command throws for bad flags. */

import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** Words that select it, for example `['keys', 'create']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  readonly options: OptionSpec;
  /** Whether positional arguments are allowed. */
  readonly positionals?: boolean;
  run(input: CommandInput): Promise<number | void>;
}

export interface CommandInput {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Bad usage: main prints the one-line message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(command: Command, argv: string[]): CommandInput {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    return { values: values as CommandInput['values'], positionals };
  } catch (error) {
    throw new UsageError(`${command.path.join(' ')}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Reads an integer flag, or the default; a non-integer or out-of-range value is a usage error. */
export function intFlag(values: CommandInput['values'], name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return parsed;
}

/** Reads a number flag, or the default. */
export function numberFlag(values: CommandInput['values'], name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return parsed;
}

export function stringFlag(values: CommandInput['values'], name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}
