/** `switchboard store init`: creates what the configured store needs before the first start (the DynamoDB table, for development). */

import { stringFlag, type Command } from '../command.js';

export const storeInitCommand: Command = {
  path: ['store', 'init'],
  summary: 'Create the configured store (the DynamoDB table with its indexes and TTL)',
  usage: `Usage: switchboard store init [--config FILE] [--data-dir DIR]

For a DynamoDB store, creates its table (on-demand billing, the indexes gsi1 and gsi2,
TTL on the expiresAt attribute) unless it exists; meant for development and tests,
production tables usually come from infrastructure code (docs/dynamodb-design.md).
For SQLite it creates the file and schema; Redis needs nothing and is only checked.
Running it again changes nothing.

Options:
  --config FILE    the config whose store to create (default: $SWITCHBOARD_CONFIG)
  --data-dir DIR   SQLite store directory when no config names a store (default: ./data)
  -h, --help       show this help`,
  options: { config: { type: 'string' }, 'data-dir': { type: 'string' } },
  async run({ values }) {
    const { resolveConfig } = await import('../../config/resolve-config.js');
    const { config } = resolveConfig(stringFlag(values, 'config'));
    const store = config.store;
    if (store.kind === 'dynamodb') {
      const { createDynamoDbClient, ensureDynamoDbTable } = await import('../../stores/dynamodb/index.js');
      const client = createDynamoDbClient(store);
      try {
        const outcome = await ensureDynamoDbTable(client, store.table);
        const ttl = { enabled: 'TTL enabled on expiresAt', 'already enabled': 'TTL already enabled on expiresAt', unsupported: 'this endpoint does not support TTL; expiry is still checked on every read' }[outcome.timeToLive];
        const where = `${store.table} in ${store.region}${store.endpoint ? ` at ${store.endpoint}` : ''}`;
        process.stdout.write(`${outcome.created ? `Created DynamoDB table ${where}` : `DynamoDB table ${where} already exists`} (indexes gsi1, gsi2; ${ttl})\n`);
      } finally {
        client.destroy();
      }
      return 0;
    }
    // SQLite migrates on open and Redis needs no schema: opening proves the store is usable.
    const { openCliStore } = await import('../open-cli-store.js');
    const opened = await openCliStore(stringFlag(values, 'config'), stringFlag(values, 'data-dir') ?? './data');
    await opened.close();
    process.stdout.write(`${store.kind} store ready; nothing to create\n`);
    return 0;
  },
};
