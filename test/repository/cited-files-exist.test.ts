/**
 * What the CLI prints cites only files a user has: every file path in the output of the planner
 * and of every command's --help must exist in the repository.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { repositoryRoot } from '../support/repository-root.js';

/** Names with a folder (docs/x.md) or a Markdown file (X.md): what reads as a reference to a file. */
function citedFiles(text: string): string[] {
  const names = text.match(/(?<![\w/.-])(?:[\w.-]+\/)*[\w.-]+\.(?:md|tsv|csv|json|ya?ml|ts|mjs)\b/g) ?? [];
  return [...new Set(names.filter((name) => name.includes('/') || name.endsWith('.md')))];
}

const commands: string[][] = [
  ['plan', 'gpu', '--model', 'llama-3.1-8b', '--quant', 'bf16', '--context', '8192', '--concurrency', '32'],
  ['plan', 'deploy'],
  ['plan', 'deploy', '--show-parameters'],
  ['--help'],
  ...['serve', 'mock-llm', 'loadtest', 'plan gpu', 'plan deploy', 'keys', 'config', 'store'].map((command) => [...command.split(' '), '--help']),
];

describe('files cited by command output', () => {
  for (const args of commands) {
    it(`switchboard ${args.join(' ')} cites only files in the repository`, () => {
      const result = runCli(args);
      assert.equal(result.code, 0, result.stderr);
      const missing = citedFiles(result.stdout + result.stderr).filter((name) => !existsSync(join(repositoryRoot, name)));
      assert.deepEqual(missing, []);
    });
  }

  it('recognises file citations and ignores the rest', () => {
    assert.deepEqual(citedFiles('see docs/planner.md and BRIEF.md; a config.json path; 3.5 GB; v1.2'), ['docs/planner.md', 'BRIEF.md']);
  });
});
