/** Turns the results of `npm run bench` into the targets it checks and the markdown section of docs/benchmarks.md. */

import type { LoadSummary } from './bench-load.js';
import { atLeast, atMost, mb, ms, signedMs, table, targetTable, type RunContext, type TargetCheck } from './bench-report.js';
import type { ColdStartResult } from './cold-start-bench.js';
import type { ProfileSummary } from './cpu-profile-summary.js';
import type { GatewayOverheadResult } from './gateway-overhead-bench.js';
import type { RelayResult } from './relay-floor-bench.js';
import { relaySection, relayTargets } from './relay-floor-report.js';
import type { SpikeResult } from './spike-bench.js';

export interface BenchResults {
  context: RunContext;
  coldStart?: ColdStartResult;
  gateway?: GatewayOverheadResult;
  spike?: SpikeResult;
  relay?: RelayResult;
  targets: TargetCheck[];
  /** Scenarios that failed to run, with their error. */
  failures: { scenario: string; error: string }[];
}

const times = (value: number): string => `${value.toFixed(1)}×`;

export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const gateway = results.gateway;
  if (gateway) {
    const ratio = gateway.closedLoop.switchboard.throughputRps / gateway.closedLoop.portkey.throughputRps;
    checks.push(atLeast('gateway throughput, Switchboard ÷ Portkey (closed loop, 64 connections)', ratio, 10, times));
    checks.push(atMost(`added latency at ${gateway.options.rate} req/s, p50`, gateway.added.switchboard.p50, 0.3, ms));
    checks.push(atMost(`added latency at ${gateway.options.rate} req/s, p99`, gateway.added.switchboard.p99, 2, ms));
  }
  const stream = results.spike?.stream;
  if (stream) {
    const spike = results.spike!.options.spike;
    checks.push(atMost(`spike of ${spike} streamed turns: errors`, stream.switchboard.errors + (stream.switchboard.requests - stream.switchboard.ok - stream.switchboard.errors), 0, String, '0'));
    checks.push(atMost('spike: added time-to-first-token p99 over direct', stream.added.ttftP99Ms, 500, ms));
    checks.push(atMost('spike: added end-to-end p99 over direct', stream.added.e2eP99Ms, 500, ms));
    checks.push(atMost('spike: peak RSS of Switchboard', stream.switchboardPeakRssMb, 1024, mb, '≤ 1 GB'));
    checks.push(atMost('spike: event-loop delay p99 (worst scrape window)', stream.eventLoop.worstWindowP99Ms, 50, ms));
  }
  const rows = results.spike?.nonStreamed?.rows;
  if (rows) {
    for (const row of rows.filter((candidate) => candidate.target.startsWith('Switchboard'))) {
      checks.push(atMost(`spike, not streamed (4 s backend): ${row.target}, errors`, row.summary.requests - row.summary.ok, 0, String, '0'));
      checks.push(atMost(`spike, not streamed (4 s backend): ${row.target}, added p99 over direct`, row.addedP99Ms, 500, ms));
    }
  }
  if (results.relay) checks.push(...relayTargets(results.relay));
  const cold = results.coldStart;
  if (cold) {
    checks.push(atMost('cold start: spawn to /readyz 200 (median)', cold.switchboard.readyMs, 150, ms));
    checks.push(atMost("cold start: spawn to /readyz 200 ÷ `node -e ''` spawn to exit", cold.switchboard.readyMs / cold.emptyNodeMs, 1.3, times));
    checks.push(atMost('cold start: idle RSS (median)', cold.switchboard.idleRssMb, 80, mb));
  }
  return checks;
}

function latencyCells(summary: LoadSummary): string[] {
  return [ms(summary.e2eMs?.p50), ms(summary.e2eMs?.p99)];
}

function errorsCell(summary: LoadSummary): string {
  const failed = summary.requests - summary.ok;
  if (failed === 0) return '0';
  return `${failed} (${Object.entries(summary.errorsByKind).map(([kind, count]) => `${kind}: ${count}`).join(', ')})`;
}

function cpuCell(summary: LoadSummary): string {
  return Object.entries(summary.cpuSeconds).map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(', ');
}

function profileTable(profile: ProfileSummary, rows = 12): string {
  const busy = profile.totalMs - profile.idleMs;
  const intro = `Busy ${(busy / 1000).toFixed(1)} s of ${(profile.totalMs / 1000).toFixed(1)} s profiled (${Math.round((busy / Math.max(1, profile.totalMs)) * 100)}%), garbage collection ${(profile.garbageCollectorMs / 1000).toFixed(1)} s.`;
  return `${intro}\n\n${table(['function (self time)', 'ms', 'share of busy time'], profile.top.slice(0, rows).map((entry) => [`\`${entry.frame}\``, entry.selfMs, `${(entry.busyShare * 100).toFixed(1)}%`]))}`;
}

function gatewaySection(gateway: GatewayOverheadResult): string {
  const names = { direct: 'direct to the mock', switchboard: 'Switchboard `/v1/chat/completions`', portkey: 'Portkey gateway' } as const;
  const closedRows = (['direct', 'switchboard', 'portkey'] as const).map((target) => {
    const summary = gateway.closedLoop[target];
    return [names[target], summary.throughputRps.toFixed(0), ...latencyCells(summary), errorsCell(summary), cpuCell(summary)];
  });
  const openRows = (['direct', 'switchboard', 'portkey'] as const).map((target) => {
    const summary = gateway.openLoop[target];
    const added = target === 'direct' ? ['–', '–'] : [signedMs(gateway.added[target].p50), signedMs(gateway.added[target].p99)];
    return [names[target], summary.throughputRps.toFixed(0), ...latencyCells(summary), ...added, errorsCell(summary)];
  });
  return [
    `### Gateway overhead`,
    '',
    `The mock answers at once (${gateway.backend.outputTokens} token, no delay), so what is measured is the hop. Non-streamed chat completions; ${gateway.options.warmupS} s of warm-up per path, then ${gateway.options.durationS} s per measurement.`,
    '',
    `Closed loop, ${gateway.options.concurrency} connections:`,
    '',
    table(['path', 'req/s', 'p50', 'p99', 'errors', 'CPU used during the run'], closedRows),
    '',
    `Open loop, ${gateway.options.rate} requests/s:`,
    '',
    table(['path', 'req/s', 'p50', 'p99', 'added p50', 'added p99', 'errors'], openRows),
    '',
    `Peak RSS over the whole scenario: Switchboard ${mb(gateway.peakRssMb.switchboard)}, Portkey ${mb(gateway.peakRssMb.portkey)}.`,
    gateway.switchboardProfile ? `\nCPU profile of Switchboard under the same closed loop (a separate, profiled run):\n\n${profileTable(gateway.switchboardProfile)}` : '',
  ].join('\n');
}

function spikeSection(spike: SpikeResult): string {
  const stream = spike.stream;
  const backend = stream.backend;
  const rows = [
    ['direct to the simulators (chat completions)', errorsCell(stream.direct), ms(stream.direct.ttftMs?.p50), ms(stream.direct.ttftMs?.p99), ms(stream.direct.itlMs?.p50), ms(stream.direct.e2eMs?.p50), ms(stream.direct.e2eMs?.p99), '–', '–'],
    [
      'Switchboard turns (auth, SQLite session read + write, intent, agent)',
      errorsCell(stream.switchboard),
      ms(stream.switchboard.ttftMs?.p50),
      ms(stream.switchboard.ttftMs?.p99),
      ms(stream.switchboard.itlMs?.p50),
      ms(stream.switchboard.e2eMs?.p50),
      ms(stream.switchboard.e2eMs?.p99),
      mb(stream.switchboardPeakRssMb),
      ms(stream.eventLoop.worstWindowP99Ms),
    ],
    ['added by Switchboard', '', signedMs(stream.added.ttftP50Ms), signedMs(stream.added.ttftP99Ms), '', signedMs(stream.added.e2eP50Ms), signedMs(stream.added.e2eP99Ms), '', ''],
  ];
  const parts = [
    `### Spike: ${spike.options.spike} simultaneous streamed turns`,
    '',
    `${backend.instances} simulator processes (TTFT ${backend.ttftMs} ms, ${backend.outputTokens} tokens at ${backend.itlMs} ms, max_num_seqs ${backend.maxNumSeqs} each). Sessions are created before the spike (not timed); then all turns are sent in one tick. The direct baseline sends the same number of streamed chat completions straight to the simulators (split evenly, in the same tick), in the same run; where it is split, its percentiles are the better of the halves, so the added figures are not understated.`,
    '',
    table(['path', 'errors', 'TTFT p50', 'TTFT p99', 'inter-token p50', 'end-to-end p50', 'end-to-end p99', 'peak RSS', 'event-loop delay p99'], rows),
    '',
    `CPU used during the spike — direct: ${cpuCell(stream.direct)}; through Switchboard: ${cpuCell(stream.switchboard)}. Kernel accept-queue overflows during the runs: direct ${stream.direct.listenOverflows}, Switchboard ${stream.switchboard.listenOverflows}.`,
    '',
    `Event-loop delay is prom-client's \`nodejs_eventloop_lag_p99_seconds\` on Switchboard's \`/metrics\` (Node's \`monitorEventLoopDelay\`, 10 ms resolution, so an idle loop reads about 10–15 ms), scraped every second during the spike; each scrape covers the time since the one before (prom-client resets its histogram at each scrape). The figure is the worst window's p99, which bounds the p99 over the whole spike from above. The histogram gets one sample per turn of the loop, so a loop that turns less than once between two scrapes leaves the window empty: ${stream.eventLoop.emptyWindows} of ${stream.eventLoop.windows.length} windows were, and each counts as a delay of its whole length. Worst single delay: ${ms(stream.eventLoop.worstMaxMs)}.`,
  ];
  if (stream.switchboardProfile) parts.push('', 'CPU profile of Switchboard during a repeat of the spike (a separate, profiled run):', '', profileTable(stream.switchboardProfile, 15));
  const nonStreamed = spike.nonStreamed;
  if (nonStreamed) {
    parts.push(
      '',
      `### Spike, not streamed: ${spike.options.spike} simultaneous requests, ${nonStreamed.backend.ttftMs + (nonStreamed.backend.outputTokens - 1) * nonStreamed.backend.itlMs} ms backend`,
      '',
      `One simulator; each server in its own process, started fresh for its run and warmed by ${nonStreamed.warmUpRequests} simultaneous requests of the same kind (untimed; the simulator too) — a sale hits processes that have been serving. Chat completions are the fair comparison with Portkey (a gateway); orchestrated turns with the agent-squad server (an orchestrator with a keyword classifier and in-memory storage, whose agents call the same mock over HTTP).`,
      '',
      table(
        ['path', 'errors', 'p50', 'p99', 'added p50', 'added p99', 'peak RSS of the server', 'server CPU per request', 'CPU used during the run'],
        nonStreamed.rows.map((row, index) => [
          row.target,
          errorsCell(row.summary),
          ms(row.summary.e2eMs?.p50),
          ms(row.summary.e2eMs?.p99),
          index === 0 ? '–' : signedMs(row.addedP50Ms),
          index === 0 ? '–' : signedMs(row.addedP99Ms),
          mb(row.peakRssMb),
          row.serverCpuMicrosPerRequest === null || row.serverCpuMicrosPerRequest === undefined ? '–' : `${Math.round(row.serverCpuMicrosPerRequest)} µs`,
          cpuCell(row.summary),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

function coldStartSection(cold: ColdStartResult): string {
  return [
    '### Cold start',
    '',
    `Process spawn to the first 200 of the readiness endpoint (Switchboard \`/readyz\`, Portkey \`GET /\`, polled every 5 ms), and RSS ${cold.settleMs / 1000} s after; median of ${cold.runs} starts each.`,
    '',
    table(
      ['', 'spawn to ready', 'idle RSS', 'samples (ms)'],
      [
        ['Switchboard (`serve`, SQLite store)', ms(cold.switchboard.readyMs), mb(cold.switchboard.idleRssMb), cold.switchboard.samples.map((sample) => sample.readyMs.toFixed(0)).join(', ')],
        ['Portkey gateway (headless)', ms(cold.portkey.readyMs), mb(cold.portkey.idleRssMb), cold.portkey.samples.map((sample) => sample.readyMs.toFixed(0)).join(', ')],
        ['`import("agent-squad")` alone', ms(cold.agentSquadImport.importMs), `${mb(cold.agentSquadImport.rssMb)} (process RSS after)`, cold.agentSquadImport.samples.map((sample) => sample.importMs.toFixed(0)).join(', ')],
        ["`node -e ''` (spawn to exit: the floor)", ms(cold.emptyNodeMs), '–', ''],
      ],
    ),
  ].join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const { context } = results;
  const machine = context.machine;
  const parts = [
    '## Switchboard against the direct path, Portkey and agent-squad',
    '',
    `Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}. Commit ${context.commit.slice(0, 12)}${context.dirty ? ' (with uncommitted changes)' : ''}; ${context.date.slice(0, 10)}. Command: \`${context.command}\`. Raw numbers: [benchmarks.json](benchmarks.json).`,
    '',
    'Every server runs in its own process on loopback (LLM simulators via `switchboard mock-llm`, Switchboard via `switchboard serve` with a bench config at log level `warn`, Portkey via `@portkey-ai/gateway` headless, agent-squad in a small node:http server); the load generator (`src/lab/load-generator.ts`) runs in the bench process. All of them share the machine\'s cores, so a CPU-bound step is bounded by the sum of their costs: the CPU columns say who used what.',
    '',
    '### Targets',
    '',
    targetTable(results.targets),
  ];
  if (results.failures.length > 0) parts.push('', `Scenarios that failed: ${results.failures.map((failure) => `${failure.scenario} (${failure.error.split('\n')[0]})`).join('; ')}.`);
  if (results.gateway) parts.push('', gatewaySection(results.gateway));
  if (results.relay) parts.push('', relaySection(results.relay));
  if (results.spike) parts.push('', spikeSection(results.spike));
  if (results.coldStart) parts.push('', coldStartSection(results.coldStart));
  return parts.join('\n');
}
