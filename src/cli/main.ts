/** The `switchboard` executable: finds the command named by the first words and runs it. */

import { commands } from './commands/index.js';
import { parseCommandArgs, UsageError, type Command } from './command.js';

function overview(): string {
  const width = Math.max(...commands.map((command) => command.path.join(' ').length));
  const lines = commands.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`);
  return ['Usage: switchboard <command> [options]', '', 'Commands:', ...lines, '', 'Run `switchboard <command> --help` for its options.'].join('\n');
}

/** The longest command path that prefixes argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => argv[index] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(overview() + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write('switchboard 0.1.0\n');
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // A group word alone (`keys`) gets the list of its sub-commands.
    const group = commands.filter((command) => command.path[0] === argv[0]);
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      process.stdout.write(group.map((command) => `  switchboard ${command.path.join(' ')}  ${command.summary}`).join('\n') + '\n');
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`switchboard: unknown command ${JSON.stringify(argv.slice(0, 2).join(' '))}; run switchboard --help\n`);
    return 2;
  }
  try {
    const input = parseCommandArgs(found.command, found.rest);
    if (input.values.help) {
      process.stdout.write(found.command.usage.trimEnd() + '\n');
      return 0;
    }
    return (await found.command.run(input)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`switchboard ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`switchboard ${found.command.path.join(' ')}: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands (serve, mock-llm) never resolve; short ones exit with their code.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`switchboard: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
