/**
 * The console: GET /console (the page and its files, open: they hold no data) and
 * GET /v1/admin/console (the live numbers the page polls, for admin keys only).
 */

import { SwitchboardError } from '../../errors.js';
import { consoleAssets } from '../console/console-assets.js';
import { defineRoute } from '../route-spec.js';

function sendAsset(name: string, respond: (status: number, body: string, contentType: string) => void): void {
  const asset = consoleAssets().get(name);
  if (!asset) {
    if (name === 'index.html') throw new SwitchboardError('not_found', 'The console was not built: run `npm run build` (it writes dist/console/).');
    throw new SwitchboardError('not_found', `No console file "${name.slice(0, 80)}".`);
  }
  respond(200, asset.body, asset.contentType);
}

export const consolePageRoute = defineRoute({
  method: 'GET',
  pattern: '/console',
  auth: 'none',
  handle({ exchange }) {
    // The page sends the admin key only in an Authorization header; no referrer carries anything.
    exchange.setHeader('referrer-policy', 'no-referrer');
    exchange.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    sendAsset('index.html', (status, body, type) => exchange.respond(status, body, type));
  },
});

export const consoleAssetRoute = defineRoute({
  method: 'GET',
  pattern: '/console/:file',
  auth: 'none',
  handle({ exchange, params }) {
    sendAsset(params.file!, (status, body, type) => exchange.respond(status, body, type));
  },
});

export const rootRoute = defineRoute({
  method: 'GET',
  pattern: '/',
  auth: 'none',
  handle({ exchange }) {
    exchange.setHeader('location', '/console');
    exchange.respond(302, JSON.stringify({ console: '/console' }));
  },
});

export const consoleSnapshotRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/admin/console',
  auth: 'admin',
  async handle({ exchange, services }) {
    exchange.setHeader('cache-control', 'no-store');
    exchange.respond(200, JSON.stringify(await services.consoleSnapshot()));
  },
});
