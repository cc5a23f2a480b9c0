/** `switchboard keys create|list|revoke`: API keys in the configured store. */

import { UsageError, stringFlag, type Command, type OptionSpec } from '../command.js';
import type { Store } from '../../stores/store-types.js';

const storeOptions: OptionSpec = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
};
const storeHelp = `  --config FILE    use the store of this config (default: $SWITCHBOARD_CONFIG)
  --data-dir DIR   SQLite store directory when no config names a store (default: ./data)
  -h, --help       show this help`;

async function withStore<T>(values: Record<string, string | boolean | undefined>, work: (store: Store) => Promise<T>): Promise<T> {
  // Loaded on use so `switchboard --help` and the other commands do not open SQLite.
  const { openCliStore } = await import('../open-cli-store.js');
  const store = await openCliStore(stringFlag(values, 'config'), stringFlag(values, 'data-dir') ?? './data');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export const keysCreateCommand: Command = {
  path: ['keys', 'create'],
  summary: 'Create an API key and print it (only the key, on stdout)',
  usage: `Usage: switchboard keys create --tenant T [--role admin|user] [--tier NAME] [--config FILE] [--data-dir DIR]

Creates a key for tenant T and prints it once; only its hash is stored.

Options:
  --tenant T       the tenant the key belongs to (required)
  --role R         admin or user (default: user)
  --tier NAME      the tenant tier used by routing rules and admission priority (default: standard)
${storeHelp}`,
  options: { ...storeOptions, tenant: { type: 'string' }, role: { type: 'string' }, tier: { type: 'string' } },
  async run({ values }) {
    const tenant = stringFlag(values, 'tenant');
    if (!tenant) throw new UsageError('keys create: --tenant is required');
    const role = stringFlag(values, 'role') ?? 'user';
    if (role !== 'admin' && role !== 'user') throw new UsageError(`keys create: --role must be admin or user, got ${JSON.stringify(role)}`);
    const tier = stringFlag(values, 'tier');
    const { key } = await withStore(values, (store) => store.keys.create({ tenant, role, tier }));
    process.stdout.write(key + '\n');
  },
};

export const keysListCommand: Command = {
  path: ['keys', 'list'],
  summary: 'List API keys (ids, tenants, roles; never the keys)',
  usage: `Usage: switchboard keys list [--tenant T] [--json] [--config FILE] [--data-dir DIR]

Options:
  --tenant T       only this tenant's keys
  --json           one JSON array instead of a table
${storeHelp}`,
  options: { ...storeOptions, tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }) {
    const records = await withStore(values, (store) => store.keys.list(stringFlag(values, 'tenant')));
    if (values.json) {
      process.stdout.write(JSON.stringify(records, null, 2) + '\n');
      return;
    }
    const rows = records.map((record) => [record.id, record.tenant, record.role, record.tier, new Date(record.createdAt).toISOString(), record.revokedAt ? 'revoked' : 'active']);
    const header = ['ID', 'TENANT', 'ROLE', 'TIER', 'CREATED', 'STATE'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows]) process.stdout.write(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n');
  },
};

export const keysRevokeCommand: Command = {
  path: ['keys', 'revoke'],
  summary: 'Revoke an API key by its id',
  usage: `Usage: switchboard keys revoke KEY_ID [--config FILE] [--data-dir DIR]

Revokes the key at once in the store; running servers stop accepting it within auth.cacheTtlMs.

Options:
${storeHelp}`,
  options: storeOptions,
  positionals: true,
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('keys revoke: give exactly one KEY_ID');
    const revoked = await withStore(values, (store) => store.keys.revoke(positionals[0]!));
    if (!revoked) {
      process.stderr.write(`switchboard keys revoke: no active key ${positionals[0]}\n`);
      return 1;
    }
    process.stdout.write(`revoked ${positionals[0]}\n`);
  },
};
