/**
 * Continuous streamed load for the zero-downtime tests: client loops that each run one streamed
 * chat completion (and every third a streamed turn) after another until told to stop, keeping
 * every outcome. A request counts as served only if it answered 200 and its stream ended
 * properly ([DONE] for completions, `done` for turns) with no error event.
 */

import { randomUUID } from 'node:crypto';
import { authHeaders } from '../support/test-server.js';
import { parseSse } from '../support/sse.js';

export interface LoadOutcome {
  kind: 'chat' | 'turn';
  status: number;
  complete: boolean;
  /** The instance that answered (x-switchboard-instance), or the turn's pool. */
  servedBy: string;
  experiments: string;
  detail: string;
}

export interface StreamedLoad {
  readonly outcomes: LoadOutcome[];
  /** Outcomes after `mark` was taken. */
  since(mark: number): LoadOutcome[];
  stop(): Promise<void>;
}

async function chat(url: string, key: string): Promise<LoadOutcome> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authHeaders(key), 'x-session-id': randomUUID() },
      body: JSON.stringify({ model: 'assistant', stream: true, messages: [{ role: 'user', content: 'count to five' }] }),
    });
    const text = await response.text();
    const frames = text.split('\n\n').filter((frame) => frame.startsWith('data: '));
    const failed = frames.some((frame) => frame.includes('"error"'));
    return {
      kind: 'chat',
      status: response.status,
      complete: response.status === 200 && frames.at(-1) === 'data: [DONE]' && !failed,
      servedBy: response.headers.get('x-switchboard-instance') ?? '',
      experiments: response.headers.get('x-switchboard-experiments') ?? '',
      detail: response.status === 200 ? (failed ? text.slice(-300) : '') : text.slice(0, 300),
    };
  } catch (error) {
    return { kind: 'chat', status: 0, complete: false, servedBy: '', experiments: '', detail: (error as Error).message };
  }
}

async function turn(url: string, key: string, session: string): Promise<LoadOutcome> {
  try {
    const response = await fetch(`${url}/v1/sessions/${session}/messages`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ content: 'and then?', stream: true }) });
    const text = await response.text();
    const events = response.status === 200 ? parseSse(text) : [];
    const done = events.find((event) => event.event === 'done');
    const failed = events.some((event) => event.event === 'error');
    const pool = done ? ((JSON.parse(done.data) as { route: { instance: string } }).route.instance) : '';
    return { kind: 'turn', status: response.status, complete: done !== undefined && !failed, servedBy: pool, experiments: '', detail: done && !failed ? '' : text.slice(0, 300) };
  } catch (error) {
    return { kind: 'turn', status: 0, complete: false, servedBy: '', experiments: '', detail: (error as Error).message };
  }
}

export function startStreamedLoad(url: string, key: string, loops: number): StreamedLoad {
  const outcomes: LoadOutcome[] = [];
  let stopping = false;
  const runners = Array.from({ length: loops }, async () => {
    const created = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: authHeaders(key), body: '{}' });
    const session = ((await created.json()) as { id: string }).id;
    for (let index = 0; !stopping; index++) outcomes.push(index % 3 === 2 ? await turn(url, key, session) : await chat(url, key));
  });
  return {
    outcomes,
    since: (mark) => outcomes.slice(mark),
    async stop() {
      stopping = true;
      await Promise.all(runners);
    },
  };
}
