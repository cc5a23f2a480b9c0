/**
 * Admin keys on a cluster: pods starting together on one store print one first admin key between
 * them, and a bootstrap key given as a secret (SWITCHBOARD_ADMIN_KEY) is stored hashed, works as
 * an admin key, and is never printed — so no key is generated and logged.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashApiKey } from '../../src/stores/api-key-hash.js';
import { startCli, waitForExit } from '../support/cli.js';

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-bootstrap-'));
  directories.push(directory);
  return directory;
}

/** `serve` until its `ready` log line, which follows the banner (and any first key) on stdout. */
function serve(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  return startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /listening on (http:\/\/\S+)[\s\S]*"msg":"ready"/, { env, timeoutMs: 20_000 });
}

async function stop(child: Awaited<ReturnType<typeof serve>>['child']): Promise<void> {
  child.kill('SIGTERM');
  await waitForExit(child);
}

describe('admin keys on a cluster', () => {
  it('prints one first admin key between two servers starting together on one store', async () => {
    const dataDir = dataDirectory();
    const servers = await Promise.all([serve(dataDir), serve(dataDir)]);
    try {
      const printed = servers.flatMap((server) => [...server.output().matchAll(/\n {2}(sb-[A-Za-z0-9_-]+)\n/g)].map((match) => match[1]!));
      assert.equal(printed.length, 1, `keys printed: ${printed.length}\n${servers.map((server) => server.output()).join('\n---\n')}`);
      // The printed key is an admin key on both servers.
      for (const server of servers) {
        const response = await fetch(`${server.match[1]}/v1/admin/keys`, { headers: { authorization: `Bearer ${printed[0]}` } });
        assert.equal(response.status, 200);
        const keys = ((await response.json()) as { data: { role: string }[] }).data;
        assert.deepEqual(keys.map((key) => key.role), ['admin']);
      }
    } finally {
      await Promise.all(servers.map((server) => stop(server.child)));
    }
  });

  it('stores SWITCHBOARD_ADMIN_KEY hashed, lets it administer, and prints no key at all', async () => {
    const dataDir = dataDirectory();
    const secret = `sb-${'s3cret'.repeat(8)}`;
    const servers = await Promise.all([serve(dataDir, { SWITCHBOARD_ADMIN_KEY: secret, SWITCHBOARD_ADMIN_TENANT: 'ops' }), serve(dataDir, { SWITCHBOARD_ADMIN_KEY: secret, SWITCHBOARD_ADMIN_TENANT: 'ops' })]);
    try {
      const url = servers[0]!.match[1]!;
      const listed = await fetch(`${url}/v1/admin/keys`, { headers: { authorization: `Bearer ${secret}` } });
      assert.equal(listed.status, 200);
      const keys = ((await listed.json()) as { data: { tenant: string; role: string }[] }).data;
      assert.deepEqual(keys, [keys[0]]);
      assert.equal(keys[0]!.tenant, 'ops');
      assert.equal(keys[0]!.role, 'admin');
      for (const server of servers) {
        assert.doesNotMatch(server.output(), /\n {2}sb-/, 'a generated key was printed');
        assert.equal(server.output().includes(secret), false, 'the secret is in the output');
        assert.match(server.output(), /bootstrap admin key (stored \(hashed\)|already stored)/);
      }
    } finally {
      await Promise.all(servers.map((server) => stop(server.child)));
    }
    const stored = Buffer.concat(readdirSync(dataDir).filter((name) => name.startsWith('switchboard.db')).map((name) => readFileSync(join(dataDir, name))));
    assert.ok(stored.includes(hashApiKey(secret)), 'the hash is not in the database');
    assert.equal(stored.includes(secret), false, 'the secret is stored in plain');
  });

  it('refuses to start with a bootstrap key too short to be a secret, naming the variable', async () => {
    await assert.rejects(serve(dataDirectory(), { SWITCHBOARD_ADMIN_KEY: 'short' }), /exited with 1[\s\S]*SWITCHBOARD_ADMIN_KEY: an imported key must be 32 to 256 characters/);
  });
});
