/** One load-test request in turn mode: an orchestrated session turn, on a session of its own virtual user. */

import { ExchangeFailure, postJsonUntimed, runExchange, type ExchangeContext } from './load-exchange.js';

/** Builds the turn body once per run: every turn sends the same bytes. */
export function turnRequestBody(prompt: string, stream: boolean, maxTokens?: number): string {
  return JSON.stringify({ content: prompt, stream, ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}) });
}

/**
 * Sessions of the virtual users. A session carries one turn at a time (the server may
 * refuse overlapping turns with 409), so a turn borrows an idle session and returns it.
 * Creating sessions is not measured, but a failed creation counts as a failed request.
 */
export class TurnSessionPool {
  private readonly idle: string[] = [];

  constructor(private readonly context: ExchangeContext) {}

  get idleCount(): number {
    return this.idle.length;
  }

  /** Creates `count` sessions ahead of the measured run, `parallelism` at a time; returns how many failed. */
  async prepare(count: number, parallelism: number): Promise<number> {
    let next = 0;
    let failures = 0;
    const worker = async (): Promise<void> => {
      while (next < count && !this.context.cancelled) {
        next++;
        const id = await this.create();
        if (id === undefined) failures++;
        else this.idle.push(id);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, count)) }, worker));
    return failures;
  }

  /** An idle session, or a new one; undefined (already recorded as an error) when creation failed. */
  async acquire(): Promise<string | undefined> {
    return this.idle.pop() ?? (await this.create());
  }

  release(id: string): void {
    this.idle.push(id);
  }

  private async create(): Promise<string | undefined> {
    try {
      const reply = await postJsonUntimed(this.context, '/v1/sessions', '{}');
      const id = typeof reply === 'object' && reply !== null ? (reply as { id?: unknown }).id : undefined;
      if (typeof id !== 'string' || id === '') throw new ExchangeFailure('bad_response');
      return id;
    } catch (error) {
      const kind = error instanceof ExchangeFailure ? error.kind : 'error';
      this.context.recorder.failUnstarted(`session_${kind}`);
      return undefined;
    }
  }
}

/** Sends one turn on a borrowed session and records it; never throws. */
export async function sendTurnRequest(context: ExchangeContext, sessions: TurnSessionPool, body: string): Promise<void> {
  const sessionId = await sessions.acquire();
  if (sessionId === undefined) return;
  try {
    await runExchange(context, `/v1/sessions/${encodeURIComponent(sessionId)}/messages`, body, 'turn', 'message');
  } finally {
    sessions.release(sessionId);
  }
}
