/** `switchboard loadtest`: drives a server with chat or turn requests and reports latency, errors and throughput. */

import { intFlag, numberFlag, stringFlag, UsageError, type Command, type CommandInput } from '../command.js';
import type { LoadOptions, LoopOptions } from '../../lab/load-generator.js';

const usage = `Usage: switchboard loadtest [options]

Sends chat completions or orchestrated session turns to a server and reports time to
first token, inter-token latency, end-to-end percentiles, errors, throughput and goodput.

Target:
  --url URL               base URL of the server (default http://127.0.0.1:8080)
  --key KEY               API key sent as a bearer token (default $SWITCHBOARD_API_KEY)
  --mode chat|turn        chat: POST /v1/chat/completions; turn: a session per virtual user,
                          then POST /v1/sessions/{id}/messages (default chat)
  --model NAME            model for chat mode (default demo)
  --max-tokens N          max_tokens to ask for
  --prompt TEXT           the user message
  --stream                stream replies (needed for TTFT and inter-token latency)

Load (one of):
  --concurrency N         closed loop: keep N requests in flight (default 10)
  --rate R                open loop: send R requests per second without waiting for replies
  --poisson               with --rate: exponential gaps between sends (seeded by --seed)
  --spike N               send N requests at once, then wait for all of them

Length:
  --duration S            stop sending after S seconds (default 10 unless --requests)
  --requests N            stop after N requests
  --timeout S             per-request limit (default 60)
  --max-seconds S         hard bound on the whole run; requests still under way are cancelled
                          (default duration + 120, or 600 without --duration)
  --seed N                seed for --poisson (default 1)

Goodput targets:
  --ttft-target-ms MS     default 500
  --itl-target-ms MS      default 50

Output:
  --json FILE             write the full result as JSON
  --svg FILE              write a chart of latency and in-flight over time

Exits 0 when the run completed with at least one successful request, 1 otherwise.
`;

/** Reads the flags into load options; any bad flag is a one-line usage error. */
export function loadOptionsFromFlags(values: CommandInput['values'], environment: NodeJS.ProcessEnv): LoadOptions {
  const url = stringFlag(values, 'url') ?? 'http://127.0.0.1:8080';
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    throw new UsageError(`--url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  const mode = stringFlag(values, 'mode') ?? 'chat';
  if (mode !== 'chat' && mode !== 'turn') throw new UsageError(`--mode must be chat or turn, got ${JSON.stringify(mode)}`);

  const chosen = ['concurrency', 'rate', 'spike'].filter((name) => values[name] !== undefined);
  if (chosen.length > 1) throw new UsageError(`--concurrency, --rate and --spike exclude each other; got ${chosen.map((name) => `--${name}`).join(' and ')}`);
  if (values.poisson && values.rate === undefined) throw new UsageError('--poisson needs --rate');
  let loop: LoopOptions;
  if (values.rate !== undefined) loop = { kind: 'open', rate: numberFlag(values, 'rate', 1, 0.001, 1_000_000), poisson: values.poisson === true };
  else if (values.spike !== undefined) loop = { kind: 'spike', spike: intFlag(values, 'spike', 1, 1, 1_000_000) };
  else loop = { kind: 'closed', concurrency: intFlag(values, 'concurrency', 10, 1, 1_000_000) };
  if (loop.kind === 'spike' && (values.duration !== undefined || values.requests !== undefined)) {
    throw new UsageError('--spike N sends exactly N requests; drop --duration and --requests');
  }

  const maxTokens = values['max-tokens'] === undefined ? undefined : intFlag(values, 'max-tokens', 0, 1, 1_000_000);
  return {
    url,
    apiKey: stringFlag(values, 'key') ?? environment.SWITCHBOARD_API_KEY,
    mode,
    loop,
    stream: values.stream === true,
    durationS: values.duration === undefined ? undefined : numberFlag(values, 'duration', 0, 0.001, 7 * 24 * 3600),
    requests: values.requests === undefined ? undefined : intFlag(values, 'requests', 0, 1, 1_000_000_000),
    timeoutS: numberFlag(values, 'timeout', 60, 0.001, 24 * 3600),
    maxSeconds: values['max-seconds'] === undefined ? undefined : numberFlag(values, 'max-seconds', 0, 0.001, 7 * 24 * 3600),
    model: stringFlag(values, 'model') ?? 'demo',
    maxTokens,
    prompt: stringFlag(values, 'prompt'),
    ttftTargetMs: numberFlag(values, 'ttft-target-ms', 500, 0),
    itlTargetMs: numberFlag(values, 'itl-target-ms', 50, 0),
    seed: intFlag(values, 'seed', 1, 0, 2 ** 32 - 1),
  };
}

/** Fails before the run, not after minutes of load, when an output file cannot be written. */
async function checkWritable(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined) return;
  const { access, constants } = await import('node:fs/promises');
  const { dirname, resolve } = await import('node:path');
  try {
    await access(dirname(resolve(path)), constants.W_OK);
  } catch {
    throw new UsageError(`--${flag}: cannot write to the folder of ${JSON.stringify(path)}`);
  }
}

async function run(input: CommandInput): Promise<number> {
  let options: LoadOptions;
  const jsonPath = stringFlag(input.values, 'json');
  const svgPath = stringFlag(input.values, 'svg');
  try {
    options = loadOptionsFromFlags(input.values, process.env);
    await checkWritable(jsonPath, 'json');
    await checkWritable(svgPath, 'svg');
  } catch (error) {
    // One place names the command, for the flag helpers' messages too.
    if (error instanceof UsageError) throw new UsageError(`loadtest: ${error.message}`);
    throw error;
  }
  // Loaded only when the command runs, so `switchboard --help` stays light.
  const [{ runLoad }, { formatLoadReport, formatProgressLine }, { renderLoadChartSvg }, { writeFile }] = await Promise.all([
    import('../../lab/load-generator.js'),
    import('../../lab/load-report.js'),
    import('../../lab/load-chart-svg.js'),
    import('node:fs/promises'),
  ]);

  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  const live = process.stderr.isTTY === true;
  let lastLineLength = 0;
  const result = await runLoad({
    ...options,
    signal: interrupt.signal,
    ...(live
      ? {
          progressIntervalMs: 250,
          onProgress: (progress) => {
            const line = formatProgressLine(progress);
            process.stderr.write(`\r${line.padEnd(lastLineLength)}`);
            lastLineLength = line.length;
          },
        }
      : {}),
  }).finally(() => process.removeListener('SIGINT', onSignal));
  if (live && lastLineLength > 0) process.stderr.write(`\r${' '.repeat(lastLineLength)}\r`);

  process.stdout.write(formatLoadReport(result));
  if (jsonPath) await writeFile(jsonPath, JSON.stringify(result, null, 2) + '\n');
  if (svgPath) await writeFile(svgPath, renderLoadChartSvg(result));
  if (interrupt.signal.aborted) process.stderr.write('loadtest: interrupted; the result above covers the requests sent until then\n');
  return result.ok > 0 ? 0 : 1;
}

export const loadtestCommand: Command = {
  path: ['loadtest'],
  summary: 'drive a server with chat or turn requests and report TTFT, ITL, percentiles and throughput',
  usage,
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    mode: { type: 'string' },
    model: { type: 'string' },
    'max-tokens': { type: 'string' },
    prompt: { type: 'string' },
    stream: { type: 'boolean' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    poisson: { type: 'boolean' },
    spike: { type: 'string' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    timeout: { type: 'string' },
    'max-seconds': { type: 'string' },
    seed: { type: 'string' },
    'ttft-target-ms': { type: 'string' },
    'itl-target-ms': { type: 'string' },
    json: { type: 'string' },
    svg: { type: 'string' },
  },
  run,
};
