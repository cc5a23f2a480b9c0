/**
 * The Node floor of the relay benchmark: the simplest pass-through proxy Node can run — `http.request`
 * to the upstream over a keep-alive agent, the bodies piped both ways, no parsing at all. Whatever a
 * gateway costs above this is the gateway's own work. Run as its own process:
 *   node dist/bench/bare-node-proxy.js   (PORT, UPSTREAM_URL from the environment)
 */

import { Agent, createServer, request } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:8000');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

const server = createServer((incoming, outgoing) => {
  const forwarded = request(
    { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host }, agent },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forwarded.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502);
    outgoing.end();
  });
  outgoing.on('close', () => forwarded.destroy());
  incoming.pipe(forwarded);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`bare node proxy on ${typeof address === 'object' && address ? address.port : port} → ${upstream.origin}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
