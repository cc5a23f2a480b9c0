/** A real MCP server over Streamable HTTP (the official SDK) on port 0, counting the sessions clients open. */

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpTestServer {
  url: string;
  /** MCP sessions initialized so far: one per client connection. */
  readonly sessions: number;
  /** Tool calls received, by tool name. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startMcpTestServer(): Promise<McpTestServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const calls = new Map<string, number>();
  let sessions = 0;
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const newServer = () => {
    const server = new McpServer({ name: 'test-warehouse', version: '1.0.0' });
    server.registerTool('check_stock', { description: 'Check the warehouse stock of a product by its sku.', inputSchema: { sku: z.string().min(1) } }, ({ sku }) => {
      count('check_stock');
      return { content: [{ type: 'text', text: JSON.stringify({ sku, in_stock: 7, warehouse: 'Lyon' }) }] };
    });
    server.registerTool('reserve_stock', { description: 'Reserve stock: always refused in this test.', inputSchema: { sku: z.string() } }, () => {
      count('reserve_stock');
      return { content: [{ type: 'text', text: 'reservations are closed' }], isError: true };
    });
    return server;
  };
  const http: Server = createServer((request, response) => {
    const id = request.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    const handle = async () => {
      if (!transport) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId) => {
            sessions++;
            transports.set(sessionId, created);
          },
        });
        transport = created;
        await newServer().connect(created);
      }
      await transport.handleRequest(request, response);
    };
    handle().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    get sessions() {
      return sessions;
    },
    calls,
    async close() {
      await Promise.all([...transports.values()].map((transport) => transport.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
