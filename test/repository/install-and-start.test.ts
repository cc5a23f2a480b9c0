/**
 * Install and start like a product: the benchmark's peers are not the product's dependencies, the
 * build runs once after install and again only when a build input changed, and `npm start` starts.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repositoryRoot } from '../support/repository-root.js';

interface Manifest {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as Manifest;
const peersManifest = JSON.parse(readFileSync(join(repositoryRoot, 'bench', 'peers', 'package.json'), 'utf8')) as Manifest;
const scratch = mkdtempSync(join(tmpdir(), 'switchboard-build-if-stale-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The bare package names a peer server imports. */
function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|resolve\(\s*)'([^'.][^']*)'/g)].map((match) => match[1]!);
  return [...new Set(specifiers.filter((name) => !name.startsWith('node:')).map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!)))];
}

describe('install and start', () => {
  it('keeps the benchmark peers out of the product: bench/peers has its own manifest with everything the peer servers import', () => {
    const product = { ...manifest.dependencies, ...manifest.devDependencies };
    const peers = Object.keys(peersManifest.dependencies ?? {});
    assert.deepEqual(peers.filter((name) => name in product), [], 'a benchmark peer is a dependency of the product');
    for (const file of readdirSync(join(repositoryRoot, 'bench', 'peers')).filter((name) => name.endsWith('.mjs'))) {
      for (const name of importedPackages(readFileSync(join(repositoryRoot, 'bench', 'peers', file), 'utf8'))) assert.ok(peers.includes(name), `bench/peers/${file} imports ${name}, which bench/peers/package.json does not list`);
    }
    assert.match(manifest.scripts.bench!, /npm run bench:peers/);
    assert.match(manifest.scripts['bench:peers']!, /--prefix bench\/peers/);
  });

  it('builds after install and before start, test and bench only through the staleness check', () => {
    assert.equal(manifest.scripts.prepare, 'node scripts/build-if-stale.mjs');
    for (const script of ['start', 'test', 'bench']) {
      assert.ok(manifest.scripts[script]!.startsWith('node scripts/build-if-stale.mjs && '), `${script}: ${manifest.scripts[script]}`);
      assert.doesNotMatch(manifest.scripts[script]!, /npm run build\b/, `${script} builds unconditionally`);
    }
  });

  it('build-if-stale builds the first time, not again, and again after an edit, an added file or a deleted one', () => {
    // A package of the same shape whose build only counts its runs.
    mkdirSync(join(scratch, 'scripts'));
    mkdirSync(join(scratch, 'src'));
    copyFileSync(join(repositoryRoot, 'scripts', 'build-if-stale.mjs'), join(scratch, 'scripts', 'build-if-stale.mjs'));
    const build = "const fs = require('fs'); for (const d of ['dist/bin', 'dist/lambda']) fs.mkdirSync(d, { recursive: true }); fs.writeFileSync('dist/bin/switchboard.mjs', ''); fs.writeFileSync('dist/lambda/handler.mjs', ''); fs.appendFileSync('builds.log', 'built\\n');";
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'stale-check', private: true, scripts: { build: `node -e "${build.replace(/"/g, '\\"')}"` } }));
    writeFileSync(join(scratch, 'src', 'a.ts'), 'export const a = 1;\n');
    const builds = () => {
      const result = spawnSync(process.execPath, [join(scratch, 'scripts', 'build-if-stale.mjs')], { cwd: scratch, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      try {
        return readFileSync(join(scratch, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    };
    assert.equal(builds(), 1, 'no build yet: builds');
    assert.equal(builds(), 1, 'nothing changed: starts at once');
    writeFileSync(join(scratch, 'src', 'a.ts'), 'export const a = 22;\n');
    assert.equal(builds(), 2, 'an edited source rebuilds');
    writeFileSync(join(scratch, 'src', 'b.ts'), 'export const b = 1;\n');
    assert.equal(builds(), 3, 'an added source rebuilds');
    unlinkSync(join(scratch, 'src', 'b.ts'));
    assert.equal(builds(), 4, 'a deleted source rebuilds');
    assert.equal(builds(), 4);
    rmSync(join(scratch, 'dist', 'lambda'), { recursive: true });
    assert.equal(builds(), 5, 'a missing output rebuilds');
  });
});
