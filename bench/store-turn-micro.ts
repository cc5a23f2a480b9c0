/**
 * The SQLite store's calls per turn (read, lease, commit, release, a usage row) and per chat
 * completion (a usage row) of two builds, interleaved round by round in one process, CPU from
 * /proc/self/stat: the store's share of a turn apart from the server's noise.
 *   node dist/bench/store-turn-micro.js BEFORE_ROOT AFTER_ROOT [rounds]
 *   (MICRO_TURNS, MICRO_PER_TICK, MICRO_HISTORY, MICRO_COMPLETIONS, MICRO_COMPLETIONS_PER_TICK)
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { openSqliteStore as OpenSqliteStore } from '../src/stores/sqlite/sqlite-store.js';
import type { Store, TurnRecord } from '../src/stores/store-types.js';
import { readCpuSeconds } from './bench-process.js';

const [beforeRoot, afterRoot, roundsText] = process.argv.slice(2);
if (!beforeRoot || !afterRoot) throw new Error('usage: store-turn-micro.js BEFORE_ROOT AFTER_ROOT [rounds]');
const rounds = Number(roundsText ?? 4);
const turns = Number(process.env.MICRO_TURNS ?? 2000);
const perTick = Number(process.env.MICRO_PER_TICK ?? 10);
/** Turns already in each session when the measured turn commits: the history a commit used to read back. */
const history = Number(process.env.MICRO_HISTORY ?? 10);
// One turn per session a round, so the history a commit sees grows by one turn a round only.
const sessionCount = turns;
// Many more: a usage row costs a few µs, and /proc counts CPU in 10 ms ticks.
const completions = Number(process.env.MICRO_COMPLETIONS ?? 100_000);
const completionsPerTick = Number(process.env.MICRO_COMPLETIONS_PER_TICK ?? 4);

async function opener(root: string): Promise<typeof OpenSqliteStore> {
  const module = (await import(pathToFileURL(join(root, 'dist', 'src', 'stores', 'sqlite', 'sqlite-store.js')).href)) as { openSqliteStore: typeof OpenSqliteStore };
  return module.openSqliteStore;
}

function turnOf(index: number): TurnRecord {
  const at = Date.now();
  return { agent: 'support', messages: [{ role: 'user', content: `where is order ${index}?`, at }, { role: 'assistant', content: `Order ${index} shipped yesterday and arrives on Friday.`, at }] };
}

const usageRow = (tenant: string) => ({ at: Date.now(), tenant, route: 'chat', pool: 'p', model: 'm', promptTokens: 12, completionTokens: 30, costUsd: 0.0001 });
const cpu = () => readCpuSeconds(process.pid);

async function prepare(open: typeof OpenSqliteStore, directory: string): Promise<{ store: Store; ids: string[] }> {
  const store = open({ path: join(directory, 'switchboard.db') });
  const ids: string[] = [];
  for (let index = 0; index < sessionCount; index++) {
    const session = await store.sessions.create({ tenant: 'bench' });
    for (let turn = 0; turn < history; turn++) await store.sessions.appendTurn('bench', session.id, turn, turnOf(turn));
    ids.push(session.id);
  }
  return { store, ids };
}

/** CPU µs per turn: `perTick` turns started together, as the pipeline runs them. */
async function turnRound(store: Store, ids: string[]): Promise<number> {
  const start = cpu();
  for (let done = 0; done < turns; done += perTick) {
    await Promise.all(
      Array.from({ length: perTick }, async (_, offset) => {
        const id = ids[(done + offset) % ids.length]!;
        const session = (await store.sessions.get('bench', id))!;
        const holder = `h${done + offset}`;
        await store.sessions.acquireLease('bench', id, { holder }, 15_000);
        // The pipeline's calls: an older build ignores the options (returns the history, keeps the lease for the release after).
        const outcome = await store.sessions.appendTurn('bench', id, session.version, turnOf(done), { history: false, releaseLease: holder });
        if (outcome.kind !== 'committed' || outcome.leaseReleased !== true) await store.sessions.releaseLease('bench', id, holder);
        void store.usage.record(usageRow('bench'));
      }),
    );
  }
  return ((cpu() - start) * 1e6) / turns;
}

/** CPU µs per completion: a usage row each, `completionsPerTick` a tick, nothing else written. */
async function completionRound(store: Store): Promise<number> {
  const start = cpu();
  let last: Promise<void> = Promise.resolve();
  for (let done = 0; done < completions; done += completionsPerTick) {
    for (let offset = 0; offset < completionsPerTick; offset++) last = store.usage.record(usageRow('bench'));
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Until the last row is committed (a coalescing build waits out its window, idle).
  await last;
  return ((cpu() - start) * 1e6) / completions;
}

const directories = { before: mkdtempSync(join(tmpdir(), 'store-micro-before-')), after: mkdtempSync(join(tmpdir(), 'store-micro-after-')) };
try {
  const stores = { before: await prepare(await opener(beforeRoot), directories.before), after: await prepare(await opener(afterRoot), directories.after) };
  const figures = { turn: { before: [] as number[], after: [] as number[] }, completion: { before: [] as number[], after: [] as number[] } };
  // A warm-up round each, not counted.
  for (const build of ['before', 'after'] as const) await turnRound(stores[build].store, stores[build].ids);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const build of order) figures.turn[build].push(await turnRound(stores[build].store, stores[build].ids));
    for (const build of order) figures.completion[build].push(await completionRound(stores[build].store));
  }
  for (const build of ['before', 'after'] as const) await stores[build].store.close();
  const ratios = (scenario: keyof typeof figures) => figures[scenario].after.map((after, index) => +(after / figures[scenario].before[index]!).toFixed(3));
  const rounded = (values: number[]) => values.map((value) => +value.toFixed(1));
  process.stdout.write(
    `${JSON.stringify({ turns, perTick, history, completions, completionsPerTick, turn: { before: rounded(figures.turn.before), after: rounded(figures.turn.after), ratios: ratios('turn') }, completion: { before: rounded(figures.completion.before), after: rounded(figures.completion.after), ratios: ratios('completion') } }, null, 2)}\n`,
  );
} finally {
  rmSync(directories.before, { recursive: true, force: true });
  rmSync(directories.after, { recursive: true, force: true });
}
