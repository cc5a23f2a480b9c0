/**
 * The console page: asks once for an admin key (kept in sessionStorage, sent only in the
 * Authorization header, never in a URL), polls GET /v1/admin/console and redraws each panel.
 */

import 'uplot/dist/uPlot.min.css';
import './console-page.css';
import { element, fill } from './dom.js';
import { ExperimentsPanel } from './experiments-panel.js';
import { LoadPanel } from './load-panel.js';
import { PoolsPanel } from './pools-panel.js';
import { RoutesPanel } from './routes-panel.js';
import type { ConsoleSnapshot } from './snapshot-types.js';
import { TurnsPanel } from './turns-panel.js';
import { UsagePanel } from './usage-panel.js';

const keyStorage = 'switchboard.adminKey';
const status = document.getElementById('status')!;
const login = document.getElementById('login') as HTMLFormElement;
const panels = document.getElementById('panels')!;

function adminKey(): string | null {
  return sessionStorage.getItem(keyStorage);
}

function showLogin(message: string): void {
  sessionStorage.removeItem(keyStorage);
  login.hidden = false;
  panels.hidden = true;
  fill(status, message);
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method,
    headers: { authorization: `Bearer ${adminKey()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    return `${response.status} ${text.slice(0, 200)}`;
  }
}

const section = (id: string) => {
  const node = element('section', { class: 'panel', id });
  panels.append(node);
  return node;
};
const load = new LoadPanel(section('panel-load'));
const pools = new PoolsPanel(section('panel-pools'));
const routes = new RoutesPanel(section('panel-routes'));
const usage = new UsagePanel(section('panel-usage'));
const turns = new TurnsPanel(section('panel-turns'));
const experiments = new ExperimentsPanel(section('panel-experiments'), async (path, body) => {
  const response = await request('POST', path, body);
  fill(status, response.ok ? `${path}: done` : `${path}: ${await errorMessage(response)}`);
  await poll();
});

let timer: number | undefined;
let polling = false;

async function poll(): Promise<void> {
  if (polling || adminKey() === null) return;
  polling = true;
  try {
    const response = await request('GET', '/v1/admin/console');
    if (response.status === 401 || response.status === 403) {
      showLogin(await errorMessage(response));
      return;
    }
    if (!response.ok) {
      fill(status, `console: ${await errorMessage(response)}`);
      return;
    }
    const snapshot = (await response.json()) as ConsoleSnapshot;
    login.hidden = true;
    panels.hidden = false;
    for (const panel of [load, pools, routes, usage, turns, experiments]) panel.update(snapshot);
    document.body.dataset.snapshotAt = String(snapshot.at);
    // The benchmark reads this: navigation start to the first panels drawn with numbers.
    if (performance.getEntriesByName('console-first-render').length === 0) performance.mark('console-first-render');
    fill(status, `updated ${new Date(snapshot.at).toISOString().slice(11, 19)} UTC · generation ${snapshot.generation}`);
    timer ??= window.setInterval(() => void poll(), snapshot.interval_ms);
  } catch (error) {
    fill(status, `console: ${(error as Error).message}`);
  } finally {
    polling = false;
  }
}

login.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = login.querySelector('input')!;
  sessionStorage.setItem(keyStorage, input.value.trim());
  input.value = '';
  void poll();
});

if (adminKey() === null) showLogin('Enter an admin key.');
else void poll();
