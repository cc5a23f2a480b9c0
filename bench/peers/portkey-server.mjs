/**
 * Portkey's open-source gateway (`@portkey-ai/gateway` from npm), run headless on PORT for the
 * benchmarks, routing every call to the OpenAI-compatible mock at PORTKEY_CUSTOM_HOST.
 *
 * The package ships one self-starting script (build/start-server.js: Hono on @hono/node-server,
 * `--port=N`, `--headless`) and exports no app, so this file sets those flags and imports it.
 * Portkey routes by request headers (`x-portkey-provider`, `x-portkey-custom-host`); the
 * bench's load generator sends only `Authorization`, so the two headers are added to each
 * incoming request before Portkey's handler reads them — the same bytes a client would send,
 * at the cost of one object write per request.
 */

import http from 'node:http';

const port = Number(process.env.PORT ?? 8787);
const customHost = process.env.PORTKEY_CUSTOM_HOST;
if (!customHost) throw new Error('PORTKEY_CUSTOM_HOST (the mock backend, e.g. http://127.0.0.1:9000/v1) is required');

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitWithPortkeyHeaders(event, request, ...rest) {
  if (event === 'request' && request.headers['x-portkey-provider'] === undefined) {
    request.headers['x-portkey-provider'] = 'openai';
    request.headers['x-portkey-custom-host'] = customHost;
    // @hono/node-server builds the fetch Request from rawHeaders.
    request.rawHeaders.push('x-portkey-provider', 'openai', 'x-portkey-custom-host', customHost);
  }
  return emit.call(this, event, request, ...rest);
};

process.argv.push(`--port=${port}`, '--headless');
await import('@portkey-ai/gateway/build/start-server.js');
