/**
 * The shared-prefix workload of the routing benchmark: many tenants, each with a long system prompt (several
 * thousand tokens) shared by all its users, and multi-turn sessions whose history grows turn by turn. Sessions
 * arrive as a seeded Poisson process; a session's turns follow one another (a user waits for the answer), each
 * resending the whole conversation, as chat APIs do. Measures TTFT and output tokens as a client of Switchboard.
 */

import { Pool } from 'undici';
import { exponentialDraw, SeededRandom } from '../src/stats/seeded-random.js';
import { summarizeLatencies } from '../src/stats/latency-summary.js';

export interface SharedPrefixOptions {
  url: string;
  apiKey: string;
  model: string;
  tenants: number;
  /** Characters of each tenant's system prompt (four per token). */
  systemCharacters: number;
  turnsPerSession: number;
  /** New sessions per second. */
  sessionRate: number;
  durationS: number;
  maxTokens: number;
  seed: number;
  timeoutS: number;
  /** Session i belongs to tenant i mod tenants instead of a random one: a warm-up that visits every tenant. */
  everyTenant?: boolean;
}

export interface SharedPrefixResult {
  requests: number;
  errors: number;
  ttftP50Ms: number | null;
  ttftP99Ms: number | null;
  outputTokens: number;
  outputTokensPerSecond: number;
  elapsedS: number;
}

const words = ['refund', 'policy', 'order', 'shipping', 'warranty', 'invoice', 'account', 'escalate', 'customer', 'always', 'never', 'politely', 'within', 'days', 'receipt', 'manager', 'product', 'return', 'label', 'carrier'];

/** A tenant's system prompt: seeded words, different for every tenant from its first characters on. */
export function systemPrompt(tenant: number, characters: number): string {
  const random = new SeededRandom(1_000 + tenant);
  const parts = [`You are the support assistant of tenant ${tenant}. Rules:`];
  let length = parts[0]!.length;
  while (length < characters) {
    const word = words[random.int(words.length)]!;
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ').slice(0, characters);
}

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One streamed chat completion: its TTFT, the answer text and its completion tokens; throws on a failed call. */
async function streamOnce(pool: Pool, options: SharedPrefixOptions, sessionId: string, messages: Message[]): Promise<{ ttftMs: number; text: string; tokens: number }> {
  const body = JSON.stringify({ model: options.model, messages, max_tokens: options.maxTokens, stream: true, stream_options: { include_usage: true } });
  const started = performance.now();
  const response = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}`, 'x-session-id': sessionId },
    body,
    headersTimeout: options.timeoutS * 1000,
    bodyTimeout: options.timeoutS * 1000,
  });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`status ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  let ttftMs = -1;
  let text = '';
  let tokens = 0;
  let pending = '';
  for await (const chunk of response.body) {
    pending += (chunk as Buffer).toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const event = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string | null } }[]; usage?: { completion_tokens?: number } | null };
      const content = event.choices?.[0]?.delta?.content;
      if (content) {
        if (ttftMs < 0) ttftMs = performance.now() - started;
        text += content;
      }
      if (event.usage?.completion_tokens !== undefined) tokens = event.usage.completion_tokens;
    }
  }
  if (ttftMs < 0) throw new Error('no content in the stream');
  return { ttftMs, text, tokens };
}

export async function runSharedPrefix(options: SharedPrefixOptions): Promise<SharedPrefixResult> {
  const prompts = Array.from({ length: options.tenants }, (_, tenant) => systemPrompt(tenant, options.systemCharacters));
  const random = new SeededRandom(options.seed);
  const pool = new Pool(options.url, { connections: 512, pipelining: 1 });
  const ttfts: number[] = [];
  let errors = 0;
  let outputTokens = 0;
  const started = performance.now();
  const sessions: Promise<void>[] = [];

  const runSession = async (session: number, tenant: number, questions: number[]): Promise<void> => {
    const messages: Message[] = [{ role: 'system', content: prompts[tenant]! }];
    for (let turn = 0; turn < options.turnsPerSession; turn++) {
      messages.push({ role: 'user', content: `Question ${turn + 1} of session ${session}: what is the ${words[questions[turn]!]} rule for my ${words[questions[turn + 1]!]}? Please answer in detail with reasons.` });
      try {
        const answer = await streamOnce(pool, options, `session-${session}`, messages);
        ttfts.push(answer.ttftMs);
        outputTokens += answer.tokens;
        messages.push({ role: 'assistant', content: answer.text });
      } catch {
        errors++;
        return;
      }
    }
  };

  // Arrival times, tenants and questions are drawn up front, in order, so every strategy sees the same sessions.
  let at = 0;
  for (let session = 0; ; session++) {
    at += exponentialDraw(random, 1000 / options.sessionRate);
    if (at > options.durationS * 1000) break;
    const drawn = random.int(options.tenants);
    const tenant = options.everyTenant ? session % options.tenants : drawn;
    const questions = Array.from({ length: options.turnsPerSession + 1 }, () => random.int(words.length));
    const wait = started + at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sessions.push(runSession(session, tenant, questions));
  }
  await Promise.all(sessions);
  const elapsedS = (performance.now() - started) / 1000;
  await pool.close();
  const summary = summarizeLatencies(ttfts);
  return {
    requests: ttfts.length + errors,
    errors,
    ttftP50Ms: summary?.p50 ?? null,
    ttftP99Ms: summary?.p99 ?? null,
    outputTokens,
    outputTokensPerSecond: outputTokens / elapsedS,
    elapsedS,
  };
}
