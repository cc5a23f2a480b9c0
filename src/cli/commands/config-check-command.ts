/** `switchboard config check FILE`: validates a config and says what it defines, or lists every problem by field path. */

import { UsageError, type Command } from '../command.js';

export const configCheckCommand: Command = {
  path: ['config', 'check'],
  summary: 'Validate a config file',
  usage: `Usage: switchboard config check FILE

Validates FILE (YAML, with \${ENV} substitution) and prints a summary, or every problem
with the path of the bad field. Exit code 0 when valid, 1 when not.

Options:
  -h, --help   show this help`,
  options: {},
  positionals: true,
  async run({ positionals }) {
    if (positionals.length !== 1) throw new UsageError('config check: give exactly one FILE');
    const { loadConfigFile, ConfigError } = await import('../../config/load-config.js');
    try {
      const config = loadConfigFile(positionals[0]!);
      const count = (record: object) => Object.keys(record).length;
      process.stdout.write(
        `${positionals[0]}: valid — ${count(config.pools)} pool(s), ${count(config.routes)} route(s), ${count(config.agents)} agent(s), store ${config.store.kind}\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(error.message + '\n');
        return 1;
      }
      throw error;
    }
  },
};
