/**
 * The AWS Lambda entry: the same runtime as the server, built once per execution environment
 * (during the init phase) and reused by every invocation. `handler` serves API Gateway HTTP API
 * events with buffered responses; `streamHandler` serves Function URLs with response streaming.
 */

import { resolveConfig } from '../config/resolve-config.js';
import { loadUndici } from '../models/providers/load-undici.js';
import { createRuntime, type Runtime } from '../app/runtime.js';
import { createDispatcher } from '../server/dispatcher.js';
import { buildRoutes } from '../server/http-server.js';
import { RouteTable } from '../server/route-table.js';
import { LambdaExchange, type LambdaHttpEvent, type LambdaHttpResult } from './lambda-exchange.js';

interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

/** The response stream Lambda hands a streaming handler, and the helpers its runtime puts on `globalThis.awslambda`. */
interface ResponseStream extends NodeJS.WritableStream {
  writableNeedDrain?: boolean;
}
interface AwsLambdaGlobal {
  streamifyResponse<T>(handler: T): T;
  HttpResponseStream: { from(stream: ResponseStream, metadata: { statusCode: number; headers: Record<string, string> }): ResponseStream };
}

const initStartedAt = performance.now();

async function buildEnvironment() {
  const { config } = resolveConfig(undefined);
  // /tmp is the only writable place in Lambda; production configs use DynamoDB instead of SQLite.
  const runtime = await createRuntime(config, { dataDir: process.env.SWITCHBOARD_DATA_DIR ?? '/tmp/switchboard', defaultMetrics: false });
  // Lambda's init phase is the time to pay for it, not the first invocation.
  await loadUndici();
  const dispatch = createDispatcher(runtime, new RouteTable(buildRoutes(() => true)));
  return { runtime, dispatch, initMs: performance.now() - initStartedAt };
}

// Started at module load, so the work happens in Lambda's init phase and is paid once per environment.
const environment = buildEnvironment();
// An init failure surfaces on the first invocation, not as an unhandled rejection.
environment.catch(() => undefined);

/** The runtime of this execution environment and how long building it took (module load included). */
export async function ready(): Promise<{ runtime: Runtime; initMs: number }> {
  const { runtime, initMs } = await environment;
  return { runtime, initMs };
}

/** Aborts slightly before Lambda's own deadline, so a turn ends with an error event rather than a killed stream. */
function deadlineSignal(context: LambdaContext | undefined): AbortSignal | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  return remaining === undefined ? undefined : AbortSignal.timeout(Math.max(1, remaining - 500));
}

/**
 * Lambda freezes the environment once the invocation returns, so batched spans would wait for
 * the next invocation, or be lost with the environment: they are exported before returning.
 */
async function flushTraces(runtime: Runtime): Promise<void> {
  if (!runtime.tracer.enabled) return;
  await runtime.tracer.forceFlush().catch((error: unknown) => runtime.logger.warn({ err: (error as Error).message }, 'flushing traces failed'));
}

export async function handler(event: LambdaHttpEvent, context?: LambdaContext): Promise<LambdaHttpResult> {
  const { dispatch, runtime } = await environment;
  const exchange = new LambdaExchange(event, { signal: deadlineSignal(context) });
  await dispatch(exchange);
  await exchange.finished;
  await flushTraces(runtime);
  return exchange.result!;
}

async function streamingHandler(event: LambdaHttpEvent, responseStream: ResponseStream, context?: LambdaContext): Promise<void> {
  const { dispatch, runtime } = await environment;
  const lambda = (globalThis as { awslambda?: AwsLambdaGlobal }).awslambda;
  if (!lambda) throw new Error('streamHandler needs the Lambda Node.js runtime (globalThis.awslambda)');
  const exchange = new LambdaExchange(event, {
    signal: deadlineSignal(context),
    openStream: (metadata) => lambda.HttpResponseStream.from(responseStream, metadata),
  });
  await dispatch(exchange);
  await exchange.finished;
  // The client has its whole response by now; only the invocation waits for the export.
  await flushTraces(runtime);
}

const awslambda = (globalThis as { awslambda?: AwsLambdaGlobal }).awslambda;
/** Function URL handler with response streaming (InvokeMode RESPONSE_STREAM). */
export const streamHandler = awslambda ? awslambda.streamifyResponse(streamingHandler) : streamingHandler;
