/** `switchboard keys create|list|revoke`: API keys in the configured store. */

import { UsageError, stringFlag, type Command, type OptionSpec } from '../command.js';
import type { NewKeyInput, Store } from '../../stores/store-types.js';

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
  usage: `Usage: switchboard keys create --tenant T [--role admin|user] [--tier NAME] [--expires-in DURATION] [--tokens-per-month N] [--usd-per-month X] [--config FILE] [--data-dir DIR]

Creates a key for tenant T and prints it once; only its hash is stored.

Options:
  --tenant T             the tenant the key belongs to (required)
  --role R               admin or user (default: user)
  --tier NAME            the tenant tier used by routing rules and admission priority (default: standard)
  --expires-in DURATION  the key stops working after this long: a number with s, m, h or d (90d, 12h)
  --tokens-per-month N   the key's monthly token budget (429 once spent)
  --usd-per-month X      the key's monthly spend budget in US dollars
${storeHelp}`,
  options: {
    ...storeOptions,
    tenant: { type: 'string' },
    role: { type: 'string' },
    tier: { type: 'string' },
    'expires-in': { type: 'string' },
    'tokens-per-month': { type: 'string' },
    'usd-per-month': { type: 'string' },
  },
  async run({ values }) {
    const tenant = stringFlag(values, 'tenant');
    if (!tenant) throw new UsageError('keys create: --tenant is required');
    const role = stringFlag(values, 'role') ?? 'user';
    if (role !== 'admin' && role !== 'user') throw new UsageError(`keys create: --role must be admin or user, got ${JSON.stringify(role)}`);
    const input: NewKeyInput = { tenant, role, tier: stringFlag(values, 'tier') };
    const expiresIn = stringFlag(values, 'expires-in');
    if (expiresIn !== undefined) input.expiresAt = Date.now() + durationMs(expiresIn);
    const tokens = stringFlag(values, 'tokens-per-month');
    const usd = stringFlag(values, 'usd-per-month');
    if (tokens !== undefined || usd !== undefined) {
      input.budget = {};
      if (tokens !== undefined) input.budget.tokensPerMonth = positiveNumber('tokens-per-month', tokens, true);
      if (usd !== undefined) input.budget.usdPerMonth = positiveNumber('usd-per-month', usd, false);
    }
    const { key } = await withStore(values, (store) => store.keys.create(input));
    process.stdout.write(key + '\n');
  },
};

const durationUnits: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90d`, `12h`, `30m`, `45s`: a positive whole number and a unit. */
function durationMs(text: string): number {
  const match = /^([1-9]\d{0,6})([smhd])$/.exec(text);
  if (!match) throw new UsageError(`keys create: --expires-in must be a whole number with s, m, h or d (for example 90d), got ${JSON.stringify(text)}`);
  return Number(match[1]) * durationUnits[match[2]!]!;
}

function positiveNumber(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`keys create: --${flag} must be a positive ${integer ? 'whole number' : 'number'}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function budgetCell(budget: NewKeyInput['budget']): string {
  if (budget === undefined) return '-';
  const parts: string[] = [];
  if (budget.tokensPerMonth !== undefined) parts.push(`${budget.tokensPerMonth} tokens/mo`);
  if (budget.usdPerMonth !== undefined) parts.push(`$${budget.usdPerMonth}/mo`);
  return parts.join(', ') || '-';
}

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
    const now = Date.now();
    const state = (record: (typeof records)[number]) => (record.revokedAt ? 'revoked' : record.expiresAt !== undefined && record.expiresAt <= now ? 'expired' : 'active');
    const rows = records.map((record) => [
      record.id,
      record.tenant,
      record.role,
      record.tier,
      new Date(record.createdAt).toISOString(),
      state(record),
      record.expiresAt === undefined ? '-' : new Date(record.expiresAt).toISOString(),
      budgetCell(record.budget),
    ]);
    const header = ['ID', 'TENANT', 'ROLE', 'TIER', 'CREATED', 'STATE', 'EXPIRES', 'BUDGET'];
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
