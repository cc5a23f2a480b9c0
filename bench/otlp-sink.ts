/**
 * The collector of the tracing benchmark, in a process of its own: accepts OTLP/HTTP exports on
 * POST /v1/traces like a collector, decodes them to count the spans, answers 200; GET /stats
 * says how many exports, bytes and spans it received. PORT names its port.
 */

import { createServer } from 'node:http';
import { decodeSpans } from '../test/support/otlp-receiver.js';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must name the port to listen on');
const stats = { exports: 0, bytes: 0, spans: 0, rejected: 0 };

createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const contentType = request.headers['content-type'] ?? '';
    try {
      stats.spans += decodeSpans(contentType, body).length;
      stats.exports++;
      stats.bytes += body.length;
      response.writeHead(200, { 'content-type': contentType.startsWith('application/json') ? 'application/json' : 'application/x-protobuf' }).end(contentType.startsWith('application/json') ? '{}' : undefined);
    } catch {
      stats.rejected++;
      response.writeHead(400).end();
    }
  });
}).listen(port, '127.0.0.1');
