/**
 * The demo shop's order service: `POST /orders/lookup` with `{ "order_id": "…" }` answers the order's status on
 * loopback, so the zero-config demo's order-lookup tool runs the real HTTP tool path. Orders are made up from the
 * id (the same id always gives the same order); an id without digits is not found.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoOrderService {
  readonly url: string;
  close(): Promise<void>;
}

const statuses = ['processing', 'shipped', 'out for delivery', 'delivered'] as const;
const carriers = ['DHL', 'UPS', 'La Poste', 'PostNL'] as const;
const products = ['Trail running shoes', 'Merino wool socks', 'Rain jacket', 'Insulated water bottle', 'Headlamp'] as const;

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619) >>> 0;
  return value;
}

/** The made-up order for an id, or undefined when the id names none. */
export function demoOrder(orderId: string): Record<string, unknown> | undefined {
  const digits = orderId.replace(/\D/g, '');
  if (digits === '') return undefined;
  const seed = hash(digits);
  const status = statuses[seed % statuses.length]!;
  const day = 1 + ((seed >>> 4) % 27);
  return {
    order_id: digits,
    status,
    carrier: carriers[(seed >>> 8) % carriers.length],
    items: [{ name: products[(seed >>> 12) % products.length], quantity: 1 + ((seed >>> 16) % 2) }],
    [status === 'delivered' ? 'delivered_on' : 'estimated_delivery']: `2026-12-${String(day).padStart(2, '0')}`,
  };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/orders/lookup') return answer(response, 404, { error: 'only POST /orders/lookup' });
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 10_000) return answer(response, 413, { error: 'body too large' });
  }
  let orderId: unknown;
  try {
    orderId = (JSON.parse(body) as { order_id?: unknown }).order_id;
  } catch {
    return answer(response, 400, { error: 'the body is not JSON' });
  }
  if (typeof orderId !== 'string' && typeof orderId !== 'number') return answer(response, 400, { error: 'order_id (a string) is required' });
  const order = demoOrder(String(orderId));
  if (!order) return answer(response, 404, { error: `no order ${String(orderId)}` });
  answer(response, 200, order);
}

export async function startDemoOrderService(host = '127.0.0.1'): Promise<DemoOrderService> {
  const server = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, { error: 'internal error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
