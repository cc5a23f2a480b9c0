/**
 * The console in a real browser: Debian's chromium loads /console from a real server under load
 * (simulator backends, a small load loop), shows live numbers in every panel — asserted by
 * content: non-zero and changing — and stops an experiment with a click, checked on the server.
 * Screenshots go to artifacts/console/ (kept by CI).
 */

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { modelExperiment, newSession, turn, twoPoolConfig } from '../experiments/experiment-fixtures.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { repositoryRoot } from '../support/repository-root.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

const artifacts = join(repositoryRoot, 'artifacts', 'console');

/** Chat completions and turns from a few loops until stopped: the load the panels must show. */
/** The number shown in an element, commas removed; NaN when it shows none. */
function shownNumber(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).first().textContent({ timeout: 20_000 }).then((text) => (text === null || text.trim() === '' ? Number.NaN : Number(text.replace(/,/g, ''))));
}

function startLoad(server: TestServer, key: string): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: 3 }, async (_, index) => {
    const session = await newSession(server.url, key);
    while (running) {
      if (index === 0) await turn(server.url, key, session, { content: 'where is my order 12345?' });
      else await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hello' }] }) }).then((response) => response.arrayBuffer());
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Waits until the number an element shows (commas removed) is above `floor`: a condition on
 * content, read from Node (the page's CSP forbids the string evaluation waitForFunction needs);
 * the deadline only turns a console that never shows it into a failure.
 */
async function numberAbove(page: Page, testId: string, floor = 0): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await shownNumber(page, testId).catch(() => Number.NaN);
    if (value > floor) return value;
    if (Date.now() > deadline) throw new Error(`${testId} never showed more than ${floor} (last: ${value})`);
    await page.waitForTimeout(100);
  }
}

/** Waits until an element's text matches `pattern`. */
function textMatches(page: Page, selector: string, pattern: RegExp): Promise<void> {
  return page.locator(selector, { hasText: pattern }).first().waitFor({ timeout: 20_000 });
}

const storedKey = (page: Page) => page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(name: string): string | null } }).sessionStorage.getItem('switchboard.adminKey'));



describe('console in chromium', () => {
  let server: TestServer;
  let browser: Chromium;
  let load: { stop(): Promise<void> };
  let userKey: string;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startTestServer(twoPoolConfig({ 'model-v2': modelExperiment() }));
    userKey = (await server.runtime.store.keys.create({ tenant: 'tenant-load' })).key;
    load = startLoad(server, userKey);
    browser = await launchChromium();
  });
  after(async () => {
    await load?.stop();
    await browser?.close();
    await server?.close();
  });

  it('asks for an admin key once, keeps it out of the URL, and shows live numbers in every panel', async () => {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const requestedUrls: string[] = [];
    page.on('request', (request) => requestedUrls.push(request.url()));
    await page.goto(`${server.url}/console`);
    await page.locator('#login input').fill(server.key);
    await page.locator('#login button').click();

    // Live load: requests served grows between two snapshots, and the rate is non-zero.
    await numberAbove(page, 'load-total');
    const firstTotal = await shownNumber(page, 'load-total');
    await numberAbove(page, 'load-total', firstTotal);
    await numberAbove(page, 'load-rps');
    assert.ok((await shownNumber(page, 'load-total')) > firstTotal);

    // Pools: completions counted per instance and a TTFT percentile from the histogram.
    await numberAbove(page, 'completed-v1-0');
    await numberAbove(page, 'ttft-p50-v1');
    // Usage per tenant and model, and its chart drawn by uPlot.
    await numberAbove(page, 'tokens-tenant-load-v1');
    assert.ok((await page.locator('#panel-usage .uplot canvas').count()) >= 2, 'the usage charts are not drawn');
    assert.ok((await page.locator('#panel-load .uplot canvas').count()) >= 1, 'the load chart is not drawn');
    // Routes and rules from the config.
    assert.match((await page.getByTestId('routes-table').textContent()) ?? '', /assistant.*default.*otherwise.*v1/s);
    // Recent turns with their stage waterfall, the intent tier and the model call.
    await page.locator('#panel-turns .turn').first().waitFor();
    const turnText = (await page.locator('#panel-turns .turn').first().textContent()) ?? '';
    for (const stage of ['authenticate', 'admit', 'load-session', 'detect-intent', 'run-agent', 'save-session']) assert.ok(turnText.includes(stage), `the waterfall has no ${stage}: ${turnText}`);
    assert.match(turnText, /tier \w+/);
    assert.match(turnText, /model calls: assistant → v[12]/);
    assert.ok((await page.locator('#panel-turns .stage-bar').count()) >= 6);
    // Experiments: variants and their request counts.
    await textMatches(page, '[data-testid="experiment-status-model-v2"]', /running/);
    assert.match((await page.locator('[data-experiment="model-v2"]').textContent()) ?? '', /control.*candidate/s);

    // The key lives in sessionStorage only: never in a URL the page asked for.
    assert.equal(await storedKey(page), server.key);
    assert.ok(requestedUrls.length > 3);
    for (const url of requestedUrls) assert.equal(url.includes(server.key), false, `the key is in ${url}`);
    // Every file came from the server itself.
    for (const url of requestedUrls) assert.ok(url.startsWith(server.url), `the page fetched ${url}`);
    assert.deepEqual(pageErrors, []);
    await page.screenshot({ path: join(artifacts, 'console-live.png'), fullPage: true });
    await page.close();
  });

  it('stops an experiment with its button, and the server has it stopped and audited', async () => {
    const page = await browser.context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${server.url}/console`);
    // sessionStorage belongs to one tab: a new tab asks for the key again.
    await page.locator('#login input').fill(server.key);
    await page.locator('#login button').click();
    const stop = page.locator('[data-experiment="model-v2"] button[data-action$="/stop"]');
    await stop.click();
    await textMatches(page, '[data-testid="experiment-status-model-v2"]', /stopped/);
    const described = (await (await fetch(`${server.url}/v1/experiments/model-v2`, { headers: authHeaders(server.key) })).json()) as { status: string; stop_reason: string | null };
    assert.equal(described.status, 'stopped');
    assert.equal(described.stop_reason, 'stopped from the console');
    const audit = await server.runtime.store.audit.list({ limit: 5 });
    const admin = (await server.runtime.store.keys.verify(server.key))!;
    assert.ok(audit.some((entry) => entry.action === 'experiment.stop' && entry.target === 'model-v2' && entry.actor.keyId === admin.id), JSON.stringify(audit));
    assert.equal(await page.locator('[data-experiment="model-v2"] button').count(), 0, 'a stopped experiment still offers actions');
    await page.screenshot({ path: join(artifacts, 'console-experiment-stopped.png'), fullPage: true });
    await page.close();
  });

  it('sends a user key back to the login with permission_denied', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/console`);
    await page.locator('#login input').fill(userKey);
    await page.locator('#login button').click();
    await textMatches(page, '[data-testid=status]', /needs an admin key/);
    assert.equal(await page.locator('#panels').isHidden(), true);
    assert.equal(await storedKey(page), null);
    await page.screenshot({ path: join(artifacts, 'console-permission-denied.png') });
    await page.close();
  });
});
