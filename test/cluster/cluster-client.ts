/**
 * The client of the many-instances test: picks an instance round robin, and when a turn fails in a
 * way that may or may not have reached the store (connection error, 5xx, a stream without `done`)
 * sends the same turn, with the same Idempotency-Key, to another instance. Every attempt is recorded.
 */

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { parseSse as parseSseEvents } from '../support/sse.js';

export type AttemptOutcome =
  /** 200 with the reply, or a stream that reached `done`. */
  | 'acknowledged'
  /** Refused before the server took it: connection refused. Safe to send elsewhere. */
  | 'refused'
  /** The connection failed after the request went out and before any response: the turn may or may not have run. */
  | 'lost-before-response'
  /** The response started (a stream), then broke or ended without `done`. */
  | 'broken-mid-response'
  /** Any other 5xx. */
  | 'server-error'
  /** 409: another attempt of the same session committed first. */
  | 'conflict';

export interface Attempt {
  instance: number;
  outcome: AttemptOutcome;
  status?: number;
  code?: string;
  detail?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export class AttemptError extends Error {
  constructor(
    readonly outcome: AttemptOutcome,
    message: string,
  ) {
    super(message);
  }
}

/** One request on a fresh connection (no keep-alive), so a draining server's closed listener is seen as refusal, not as a reset. */
export function send(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string, onResponse?: () => void): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    let responded = false;
    const outgoing = httpRequest(url, { method, headers: { ...headers, connection: 'close' }, agent: false }, (response) => {
      responded = true;
      onResponse?.();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(new AttemptError('broken-mid-response', error.message)));
      response.on('aborted', () => reject(new AttemptError('broken-mid-response', 'response aborted')));
      response.on('end', () => {
        if (!response.complete) reject(new AttemptError('broken-mid-response', 'response ended early'));
        else resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (responded) reject(new AttemptError('broken-mid-response', error.message));
      else if (error.code === 'ECONNREFUSED') reject(new AttemptError('refused', error.message));
      else reject(new AttemptError('lost-before-response', `${error.code ?? ''} ${error.message}`));
    });
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error('attempt timed out')));
    outgoing.end(body);
  });
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Events of a whole SSE body; an unnamed event is `message`. */
export function parseSse(text: string): SseEvent[] {
  return parseSseEvents(text).map((parsed) => ({ event: parsed.event ?? 'message', data: parsed.data }));
}

export interface TurnOutcome {
  version: number;
  /** Answered from the stored result of an earlier attempt rather than by a new commit. */
  deduplicated: boolean;
  /** Settled by reading the session after a 409 rather than by an answer. */
  settledByRead: boolean;
  attempts: Attempt[];
}

export interface TurnRequest {
  apiKey: string;
  sessionId: string;
  content: string;
  idempotencyKey: string;
  stream: boolean;
}

export class ClusterClient {
  #next = 0;
  /** Instances that refused a connection or said they are shutting down: a load balancer would have taken them out. */
  readonly down = new Set<number>();
  /** Requests sent and not yet answered, per instance. */
  readonly inFlight: number[];
  readonly attempts: Attempt[] = [];

  constructor(readonly urls: readonly string[]) {
    this.inFlight = urls.map(() => 0);
  }

  pick(exclude?: number): number {
    for (let tried = 0; tried < this.urls.length * 2; tried++) {
      const index = this.#next++ % this.urls.length;
      if (!this.down.has(index) && (index !== exclude || this.down.size >= this.urls.length - 1)) return index;
    }
    throw new Error('no instance left up');
  }

  async #attemptTurn(instance: number, turn: TurnRequest): Promise<{ version: number; deduplicated: boolean }> {
    const headers = { authorization: `Bearer ${turn.apiKey}`, 'content-type': 'application/json', 'idempotency-key': turn.idempotencyKey };
    const body = JSON.stringify({ content: turn.content, stream: turn.stream });
    this.inFlight[instance]!++;
    let response: RawResponse;
    try {
      response = await send(this.urls[instance]!, 'POST', `/v1/sessions/${turn.sessionId}/messages`, headers, body);
    } finally {
      this.inFlight[instance]!--;
    }
    if (response.status !== 200) {
      const code = (JSON.parse(response.body || '{}') as { error?: { code?: string } }).error?.code;
      if (response.status === 409) throw new AttemptError('conflict', code ?? '409');
      if (response.status >= 500) throw new AttemptError('server-error', `${response.status} ${code ?? response.body.slice(0, 200)}`);
      throw new Error(`turn ${turn.idempotencyKey} on instance ${instance}: unexpected ${response.status} ${response.body.slice(0, 300)}`);
    }
    if (!turn.stream) {
      const reply = JSON.parse(response.body) as { version: number; timings: Record<string, number> };
      // A stored reply is the one captured before its own save finished: it has no save-session timing.
      return { version: reply.version, deduplicated: reply.timings['save-session'] === undefined };
    }
    const events = parseSse(response.body);
    const last = events.at(-1);
    if (last?.event !== 'done') throw new AttemptError('broken-mid-response', `stream ended with ${last?.event ?? 'nothing'}: ${last?.data.slice(0, 200) ?? ''}`);
    const replayed = events.some((event) => event.event === 'intent' && (JSON.parse(event.data) as { replayed?: boolean }).replayed === true);
    return { version: (JSON.parse(last.data) as { version: number }).version, deduplicated: replayed };
  }

  async getSession(apiKey: string, sessionId: string): Promise<{ version: number; messages: { role: string; content: string }[] }> {
    for (let tried = 0; tried < this.urls.length * 2; tried++) {
      const instance = this.pick();
      try {
        const response = await send(this.urls[instance]!, 'GET', `/v1/sessions/${sessionId}`, { authorization: `Bearer ${apiKey}` });
        if (response.status === 200) return JSON.parse(response.body) as { version: number; messages: { role: string; content: string }[] };
        if (response.status !== 503) throw new Error(`GET session ${sessionId}: ${response.status} ${response.body.slice(0, 200)}`);
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        if (error.outcome === 'refused') this.down.add(instance);
      }
    }
    throw new Error(`GET session ${sessionId}: no instance answered`);
  }

  /** Sends the turn until an instance acknowledges it, moving to another instance after every failure. */
  async turn(request: TurnRequest, maxAttempts = 12): Promise<TurnOutcome> {
    const attempts: Attempt[] = [];
    let previous: number | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const instance = this.pick(previous);
      previous = instance;
      try {
        const { version, deduplicated } = await this.#attemptTurn(instance, request);
        attempts.push({ instance, outcome: 'acknowledged' });
        this.attempts.push(...attempts);
        return { version, deduplicated, settledByRead: false, attempts };
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        attempts.push({ instance, outcome: error.outcome, detail: error.message });
        if (error.outcome === 'refused') this.down.add(instance);
        if (error.outcome === 'conflict') {
          // A concurrent attempt of this same turn may have committed: the session says.
          const session = await this.getSession(request.apiKey, request.sessionId);
          if (session.messages.some((message) => message.role === 'user' && message.content === request.content)) {
            this.attempts.push(...attempts);
            return { version: session.version, deduplicated: true, settledByRead: true, attempts };
          }
        }
        if (error.outcome !== 'refused') await new Promise((resolve) => setTimeout(resolve, 30 + 20 * attempt));
      }
    }
    this.attempts.push(...attempts);
    throw new Error(`turn ${request.idempotencyKey} was not acknowledged in ${maxAttempts} attempts: ${JSON.stringify(attempts)}`);
  }
}
