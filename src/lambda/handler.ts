/**
 * The AWS Lambda entry: the same runtime as the server, built once per execution environment
 * (during the init phase) and reused by every invocation. `handler` serves API Gateway HTTP API
 * events with buffered responses; `streamHandler` serves Function URLs with response streaming.
 * The bundle (dist/lambda/) imports nothing the Lambda Node.js runtime lacks: the AWS SDK comes
 * from the runtime, everything else is bundled, and each store and limiter client is a chunk
 * loaded only when the config names it.
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

/**
 * Every execution environment is a separate, short-lived process: a store inside one (SQLite in its
 * /tmp, or memory) would give each its own sessions and keys. Only a shared store makes sense here,
 * and the package ships no native module for SQLite.
 */
const sharedStoreKinds: readonly string[] = ['dynamodb', 'redis'];

async function buildEnvironment() {
  const { config, source } = resolveConfig(undefined);
  if (!sharedStoreKinds.includes(config.store.kind)) {
    throw new Error(
      `Switchboard on Lambda needs a store shared by every execution environment (store.kind ${sharedStoreKinds.join(' or ')}); ${source} has store.kind ${config.store.kind}. Set SWITCHBOARD_CONFIG to a config like deploy/lambda/config.example.yaml.`,
    );
  }
  const runtime = await createRuntime(config, { defaultMetrics: false });
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
  const lambda = (globalThis as { awslambda?: Partial<AwsLambdaGlobal> }).awslambda;
  if (typeof lambda?.HttpResponseStream?.from !== 'function') throw new Error('streamHandler needs the Lambda Node.js runtime (globalThis.awslambda.HttpResponseStream)');
  const responseStreams = lambda.HttpResponseStream;
  const exchange = new LambdaExchange(event, {
    signal: deadlineSignal(context),
    openStream: (metadata) => responseStreams.from(responseStream, metadata),
  });
  await dispatch(exchange);
  await exchange.finished;
  // The client has its whole response by now; only the invocation waits for the export.
  await flushTraces(runtime);
}

// Outside Lambda `awslambda` may still exist half-made (the AWS SDK sets `globalThis.awslambda = {}`
// for its own use), so the helper itself is what decides.
const streamify = (globalThis as { awslambda?: Partial<AwsLambdaGlobal> }).awslambda?.streamifyResponse;
/** Function URL handler with response streaming (InvokeMode RESPONSE_STREAM). */
export const streamHandler = typeof streamify === 'function' ? streamify(streamingHandler) : streamingHandler;
