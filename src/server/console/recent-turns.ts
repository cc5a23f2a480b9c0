/** The last turns this process served, with their stage waterfall, for the console: a fixed ring, so memory stays bounded. */

import type { TurnReply } from '../../pipeline/turn/turn-context.js';

export interface RecentTurn {
  turn_id: string;
  session_id: string;
  tenant: string;
  at: number;
  status: 'ok' | 'replayed';
  agent: string;
  /** The intent and the tier that decided it (rules, embeddings, a model). */
  intent: { name: string; confidence: number; tier: string };
  /** Stages in the order they ran, each with its start offset from the turn's start. */
  stages: { name: string; start_ms: number; duration_ms: number }[];
  model_calls: { route: string; pool: string; instance: string; rule: string; attempts: number; prompt_tokens: number; completion_tokens: number }[];
  /** The agent's tool calls; none until agents call tools. */
  tool_calls: { name: string; duration_ms: number }[];
  experiments: { experiment: string; variant: string }[];
}

/** What `add` was given: the console's record is built from it only when the console asks (a turn pays one small object). */
interface AddedTurn {
  tenant: string;
  reply: TurnReply;
  timings: Readonly<Record<string, number>>;
  replayed: boolean;
  at: number;
}

function toRecentTurn({ tenant, reply, timings, replayed, at }: AddedTurn): RecentTurn {
  const stages: RecentTurn['stages'] = [];
  let offset = 0;
  // Stages run one after another, in the order the timer recorded them.
  for (const name in timings) {
    const duration = timings[name]!;
    stages.push({ name, start_ms: Math.round(offset * 1000) / 1000, duration_ms: duration });
    offset += duration;
  }
  return {
    turn_id: reply.turn_id,
    session_id: reply.session_id,
    tenant,
    at,
    status: replayed ? 'replayed' : 'ok',
    agent: reply.agent,
    intent: { name: reply.intent.name, confidence: reply.intent.confidence, tier: reply.intent.source },
    stages,
    model_calls: replayed
      ? []
      : [{ route: reply.route.name, pool: reply.route.pool, instance: reply.route.instance, rule: reply.route.rule, attempts: reply.route.attempts, prompt_tokens: reply.usage.prompt_tokens, completion_tokens: reply.usage.completion_tokens }],
    tool_calls: [],
    experiments: reply.experiments.map(({ experiment, variant }) => ({ experiment, variant })),
  };
}

export class RecentTurns {
  readonly #capacity: number;
  readonly #ring: AddedTurn[] = [];
  #next = 0;

  constructor(capacity = 50) {
    this.#capacity = capacity;
  }

  /** Kept by reference: the reply and timings are not touched after the turn ends. */
  add(tenant: string, reply: TurnReply, timings: Readonly<Record<string, number>>, replayed: boolean): void {
    const turn: AddedTurn = { tenant, reply, timings, replayed, at: Date.now() };
    if (this.#ring.length < this.#capacity) this.#ring.push(turn);
    else this.#ring[this.#next] = turn;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Newest first. */
  list(): RecentTurn[] {
    const ordered = [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
    return ordered.reverse().map(toRecentTurn);
  }
}
