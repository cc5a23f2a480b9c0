import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { post } from './simulator-client.js';
import { cliPath } from '../support/cli.js';
import { runCliAsync as run } from '../support/run-cli-async.js';

test('mock-llm listens, answers, and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [cliPath, 'mock-llm', '--port', '0', '--ttft-ms', '5', '--itl-ms', '1', '--output-tokens', '6', '--seed', '9'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 15_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const newline = buffered.indexOf('\n');
        if (newline !== -1) {
          clearTimeout(timer);
          resolve(buffered.slice(0, newline));
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} early; stderr: ${stderr}`)));
    });
    const match = /^mock-llm listening on (http:\/\/127\.0\.0\.1:\d+) \(OpenAI \/v1\/chat\/completions, Anthropic \/v1\/messages, metrics \/metrics\)$/.exec(line);
    assert.ok(match, `listening line: ${line}`);
    const response = await post(match[1]!, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body) as { usage: { completion_tokens: number }; choices: { message: { content: string } }[] };
    assert.equal(body.usage.completion_tokens, 6);
    assert.match(body.choices[0]!.message.content, /^\[simulated\]/);
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('bad flags are usage errors: exit 2 with one line on stderr', async () => {
  for (const args of [['--ttft-ms', 'abc'], ['--error-rate', '1.5'], ['--port', '-1'], ['--nope']]) {
    const result = await run(['mock-llm', ...args]);
    assert.equal(result.code, 2, `mock-llm ${args.join(' ')}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
  const ttft = await run(['mock-llm', '--ttft-ms', 'abc']);
  assert.match(ttft.stderr, /--ttft-ms/);
});

test('--help prints the usage and exits 0', async () => {
  const result = await run(['mock-llm', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: switchboard mock-llm/);
  assert.match(result.stdout, /--disconnect-rate/);
});

test('--help documents the tool, embeddings and prefix-cache options; their bad values are usage errors', async () => {
  const help = await run(['mock-llm', '--help']);
  for (const text of ['/v1/embeddings', 'tools', '--prefix-cache-blocks', '--block-tokens', '--prefill-tokens-per-second', '--kv-capacity-tokens']) assert.ok(help.stdout.includes(text), text);
  for (const args of [['--block-tokens', '0'], ['--prefix-cache-blocks', '-1'], ['--prefill-tokens-per-second', 'fast'], ['--kv-capacity-tokens', '0']]) {
    const result = await run(['mock-llm', ...args]);
    assert.equal(result.code, 2, `mock-llm ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(args[0]!));
  }
});
