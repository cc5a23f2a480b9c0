/**
 * A stand-in for the Lambda Node.js runtime's bootstrap, run as its own process: it sets up
 * `globalThis.awslambda` as the runtime does (streamifyResponse marks a handler as streaming;
 * HttpResponseStream.from writes the JSON prelude and eight NUL bytes), imports the handler module
 * from LAMBDA_TASK_ROOT, and invokes it once per line of JSON on stdin, answering one line on stdout.
 * A streaming handler gets (event, responseStream, context), any other (event, context), as in Lambda.
 * It imports only Node's own modules, so what the handler can resolve is decided by its folder alone.
 */

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const streamingMarker = Symbol.for('aws.lambda.runtime.handler.streaming');

export interface BootstrapHello {
  kind: 'hello';
  importMs: number;
  /** For each probed package: whether the handler's folder can resolve it. */
  resolvable: Record<string, boolean>;
  exports: string[];
  streaming: Record<string, boolean>;
}
export interface InvocationRequest {
  id: number;
  handler: string;
  event: unknown;
}
export interface InvocationAnswer {
  kind: 'answer';
  id: number;
  /** A buffered handler's return value. */
  result?: unknown;
  /** A streaming handler's bytes (base64) and the content type the runtime would send them with. */
  stream?: { contentType: string | undefined; base64: string };
  error?: string;
}

class ResponseStream extends Writable {
  readonly chunks: Buffer[] = [];
  contentType: string | undefined;
  setContentType(type: string): void {
    this.contentType = type;
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

type Handler = (...args: unknown[]) => unknown;

(globalThis as Record<string, unknown>).awslambda = {
  streamifyResponse(handler: Handler) {
    (handler as unknown as Record<symbol, string>)[streamingMarker] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream: ResponseStream, prelude: unknown) {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

const taskRoot = process.env.LAMBDA_TASK_ROOT;
if (!taskRoot) throw new Error('LAMBDA_TASK_ROOT is required');
const probes = (process.env.BOOTSTRAP_PROBE ?? '').split(',').filter(Boolean);
const handlerPath = `${taskRoot}/handler.mjs`;
const resolveFromTask = createRequire(handlerPath);
const resolvable = Object.fromEntries(
  probes.map((name) => {
    try {
      resolveFromTask.resolve(name);
      return [name, true];
    } catch {
      return [name, false];
    }
  }),
);

const send = (message: BootstrapHello | InvocationAnswer) => process.stdout.write(`${JSON.stringify(message)}\n`);
const started = performance.now();
const module = (await import(pathToFileURL(handlerPath).href)) as Record<string, Handler>;
const importMs = performance.now() - started;
send({
  kind: 'hello',
  importMs,
  resolvable,
  exports: Object.keys(module).sort(),
  streaming: Object.fromEntries(Object.entries(module).map(([name, value]) => [name, (value as unknown as Record<symbol, unknown>)[streamingMarker] === 'response'])),
});

const context = () => ({ awsRequestId: `request-${Date.now()}`, functionName: 'switchboard', getRemainingTimeInMillis: () => 30_000 });

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const request = JSON.parse(line) as InvocationRequest;
  const handler = module[request.handler];
  try {
    if (typeof handler !== 'function') throw new Error(`handler.${request.handler} is not a function`);
    if ((handler as unknown as Record<symbol, unknown>)[streamingMarker] === 'response') {
      const stream = new ResponseStream();
      const finished = new Promise<void>((resolve, reject) => stream.once('finish', resolve).once('error', reject));
      await handler(request.event, stream, context());
      await finished;
      send({ kind: 'answer', id: request.id, stream: { contentType: stream.contentType, base64: Buffer.concat(stream.chunks).toString('base64') } });
    } else {
      send({ kind: 'answer', id: request.id, result: await handler(request.event, context()) });
    }
  } catch (error) {
    send({ kind: 'answer', id: request.id, error: (error as Error).message });
  }
}
