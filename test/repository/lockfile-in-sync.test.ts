/**
 * `npm install` on a clean clone must leave `git status` clean: the lockfile already says what
 * npm would write. Checked by letting npm rewrite a copy of each manifest's lockfile from the
 * cache (no node_modules, no scripts) and comparing the bytes.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repositoryRoot } from '../support/repository-root.js';

/** Every folder with its own package.json and lockfile that a documented command installs. */
const manifests = ['.', 'bench/peers'].filter((folder) => existsSync(join(repositoryRoot, folder, 'package.json')));

describe('the lockfiles', () => {
  for (const folder of manifests) {
    it(`${folder}/package-lock.json is what npm install writes for ${folder}/package.json`, () => {
      const directory = mkdtempSync(join(tmpdir(), 'switchboard-lockfile-'));
      try {
        const lockfile = join(repositoryRoot, folder, 'package-lock.json');
        assert.ok(existsSync(lockfile), `${folder} has a package.json but no package-lock.json`);
        copyFileSync(join(repositoryRoot, folder, 'package.json'), join(directory, 'package.json'));
        copyFileSync(lockfile, join(directory, 'package-lock.json'));
        const result = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: directory, encoding: 'utf8', timeout: 120_000 });
        assert.equal(result.status, 0, result.stderr);
        const rewritten = readFileSync(join(directory, 'package-lock.json'), 'utf8');
        const committed = readFileSync(lockfile, 'utf8');
        if (rewritten !== committed) {
          const first = rewritten.split('\n').findIndex((line, index) => line !== committed.split('\n')[index]);
          assert.fail(`npm install rewrites ${folder}/package-lock.json from line ${first + 1}: ${JSON.stringify(committed.split('\n')[first])} becomes ${JSON.stringify(rewritten.split('\n')[first])}`);
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }
});
