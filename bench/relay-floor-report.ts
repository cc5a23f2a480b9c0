/** The relay-floor rows of docs/benchmarks.md and the targets they are checked against: ratios to the bare Node proxy and to Portkey, from one run. */

import { atLeast, atMost, ms, table, type TargetCheck } from './bench-report.js';
import type { RelayGateway, RelayResult } from './relay-floor-bench.js';

const names: Record<RelayGateway, string> = {
  nginx: 'nginx 1.22 (`proxy_buffering off`, one worker) — the C floor',
  'node-proxy': 'bare Node proxy (`http.request` + `pipe`, keep-alive agent) — the Node floor',
  'switchboard-chat': 'Switchboard `/v1/chat/completions`',
  'switchboard-turns': 'Switchboard turns (full pipeline)',
  portkey: 'Portkey 1.15.2',
};

const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function find<Row extends { gateway: RelayGateway }>(rows: Row[], gateway: RelayGateway): Row | undefined {
  return rows.find((row) => row.gateway === gateway);
}

export function relayTargets(relay: RelayResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const floor = find(relay.nonStreamed, 'node-proxy');
  const chat = find(relay.nonStreamed, 'switchboard-chat');
  const portkey = find(relay.nonStreamed, 'portkey');
  if (floor && chat) checks.push(atMost('relay, not streamed: CPU per request, Switchboard ÷ bare Node proxy', chat.cpuMicrosPerRequest / floor.cpuMicrosPerRequest, 1.2, times));
  if (portkey && chat) checks.push(atLeast('relay, not streamed: requests/s at c=64, Switchboard ÷ Portkey', chat.wrk.requestsPerSecond / portkey.wrk.requestsPerSecond, 15, times));
  const streamFloor = find(relay.streamed, 'node-proxy');
  const streamChat = find(relay.streamed, 'switchboard-chat');
  const streamTurns = find(relay.streamed, 'switchboard-turns');
  if (streamFloor && streamChat) {
    checks.push(atMost('relay, streamed: CPU per token through /v1/chat/completions ÷ bare Node proxy', streamChat.cpuMicrosPerToken / streamFloor.cpuMicrosPerToken, 1.0, times));
    checks.push(atMost(`relay, streamed: TTFT p99 with ${relay.options.streams} streams, added over the bare Node proxy`, (streamChat.summary.ttftMs?.p99 ?? Number.NaN) - (streamFloor.summary.ttftMs?.p99 ?? Number.NaN), 20, ms));
  }
  if (streamFloor && streamTurns) checks.push(atMost('relay, streamed: CPU per token through turns ÷ bare Node proxy', streamTurns.cpuMicrosPerToken / streamFloor.cpuMicrosPerToken, 1.2, times));
  return checks;
}

export function relaySection(relay: RelayResult): string {
  const gateways = [...new Set([...relay.nonStreamed, ...relay.streamed].map((row) => row.gateway))];
  const order: RelayGateway[] = ['nginx', 'node-proxy', 'switchboard-chat', 'switchboard-turns', 'portkey'];
  gateways.sort((left, right) => order.indexOf(left) - order.indexOf(right));
  const floor = { request: find(relay.nonStreamed, 'node-proxy')?.cpuMicrosPerRequest, token: find(relay.streamed, 'node-proxy')?.cpuMicrosPerToken };
  const portkey = { request: find(relay.nonStreamed, 'portkey')?.cpuMicrosPerRequest, token: find(relay.streamed, 'portkey')?.cpuMicrosPerToken };
  const ratio = (value: number | undefined, base: number | undefined) => (value === undefined || base === undefined ? '–' : times(value / base));
  const rows = gateways.map((gateway) => {
    const plain = find(relay.nonStreamed, gateway);
    const streamed = find(relay.streamed, gateway);
    return [
      names[gateway],
      plain ? `${plain.cpuMicrosPerRequest.toFixed(0)} µs` : '–',
      ratio(plain?.cpuMicrosPerRequest, floor.request),
      plain ? plain.wrk.requestsPerSecond.toFixed(0) : '–',
      plain ? ms(plain.wrk.latencyMs.p99) : '–',
      streamed ? `${streamed.cpuMicrosPerToken.toFixed(1)} µs` : '–',
      ratio(streamed?.cpuMicrosPerToken, floor.token),
      ratio(streamed?.cpuMicrosPerToken, portkey.token),
      streamed ? ms(streamed.summary.ttftMs?.p99) : '–',
      `${(plain?.wrk.errors ?? 0) + (streamed ? streamed.summary.requests - streamed.summary.ok : 0)}`,
    ];
  });
  const { streamed: backend } = relay.backends;
  return [
    '### The relay at the runtime\'s floor',
    '',
    `The same mock (\`switchboard mock-llm\`) behind every gateway. Not streamed: \`wrk -t1 -c64\` for ${relay.options.durationS} s after a warm-up, one-token answers. Streamed: ${relay.options.streams} concurrent streams (closed loop, ${relay.options.streamedRequests} requests) of ${backend.outputTokens} tokens at ${backend.itlMs} ms after a ${backend.ttftMs} ms first token. CPU is the gateway's own user + system time from \`/proc/<pid>/stat\` over the measured window (nginx: master and worker), divided by the requests or tokens relayed.`,
    '',
    table(['gateway', 'CPU per request', '÷ Node floor', 'req/s at c=64', 'p99', 'CPU per streamed token', '÷ Node floor', '÷ Portkey', `TTFT p99, ${relay.options.streams} streams`, 'errors'], rows),
    relay.skipped.length > 0 ? `\nSkipped: ${relay.skipped.map((skip) => `${skip.gateway} — ${skip.reason}`).join('; ')}.` : '',
  ].join('\n');
}
