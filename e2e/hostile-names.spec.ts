/**
 * [G6] Hostile names in the browser: agents named `__proto__`, `constructor`, `toString`…
 * (which once made every dashboard show "This page couldn't load", or vanished) appear in the
 * live view's list mirror, open in the inspector, and their trace page renders — spans named
 * with markup stay text, attribute keys such as `__proto__` are listed — with no console error.
 */
import { expect, test, type Page } from '@playwright/test';
import { HOSTILE_TEXT, PROTOTYPE_NAMES } from '../lib/testing/hostileNames';
import { loginAndOpen } from './login';
import { hostileSwarm } from './testAgents';

const MARKUP = HOSTILE_TEXT[0]; // <img src=x onerror=alert(1)>

let swarm: Awaited<ReturnType<typeof hostileSwarm>>;
test.beforeAll(async () => {
  swarm = await hostileSwarm(PROTOTYPE_NAMES, MARKUP);
});
test.afterAll(() => swarm?.close());

/** Every console error, uncaught page error and dialog (an `onerror=alert` that ran) of the page. */
function watchForTrouble(page: Page): string[] {
  const trouble: string[] = [];
  page.on('console', (m) => {
    // The app ships no favicon; the browser's own request for it is not the page's error.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) trouble.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => trouble.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    trouble.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return trouble;
}

test('[G6] agents named after Object.prototype members appear in the live view and open in the inspector', async ({ page }) => {
  const trouble = watchForTrouble(page);
  await loginAndOpen(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  await page.getByText(/nodes? in the graph/).click(); // the list that mirrors the canvas
  for (const name of PROTOTYPE_NAMES) await expect(page.locator(`[data-testid="graph-node"][data-node="${name}"]`)).toHaveCount(1);

  for (const name of ['constructor', '__proto__']) {
    await page.locator(`[data-testid="graph-node"][data-node="${name}"] button`).click();
    const inspector = page.getByTestId('inspector');
    await expect(inspector.getByRole('heading', { level: 2 })).toHaveText(name);
    await expect(inspector.getByTestId('inspector-state')).toBeVisible(); // found in the live overview
    await expect(inspector).toContainText(MARKUP); // a capability, shown as text
    await expect(inspector).toContainText('served p50'); // /api/agents/:name answered
    await expect(page.getByTestId('token-stream').getByTestId('stream-span').first()).toContainText(`${name} thinks hard.`);
  }
  await expect(page.getByText(/couldn.t load|Application error/i)).toHaveCount(0);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(trouble).toEqual([]);
});

test('[G6] a page link with malformed percent-encoding is a 400 with a code, not a 500', async ({ page }) => {
  await loginAndOpen(page, '/traces');
  for (const path of ['/trace/%ZZ', '/embed/trace/%E0%A4%A']) {
    const r = await page.request.get(path);
    expect(r.status()).toBe(400);
    expect((await r.json()).error.code).toBe('bad_url');
  }
});

test('[G6] the trace through hostile agents renders, markup as text and every attribute key listed', async ({ page }) => {
  const trouble = watchForTrouble(page);
  await loginAndOpen(page, `/trace/${swarm.traceId}`);
  await expect(page.getByTestId('trace-id')).toHaveText(swarm.traceId);
  await expect(page.getByTestId('trace-status')).toHaveText('ok');
  const rows = page.getByTestId('waterfall-row');
  // One call and one span per agent.
  await expect(rows).toHaveCount(2 * PROTOTYPE_NAMES.length);
  await expect(rows.filter({ hasText: MARKUP })).toHaveCount(PROTOTYPE_NAMES.length);
  await rows.filter({ hasText: MARKUP }).first().click();
  const detail = page.getByTestId('node-detail');
  await expect(detail.getByTestId('node-text')).toContainText('thinks hard.');
  const keys = await detail.locator('.attrs dt').allInnerTexts();
  for (const name of PROTOTYPE_NAMES) expect(keys).toContain(name);
  await expect(page.getByTestId('trace-error')).toHaveCount(0);
  await expect(page.getByText(/couldn.t load|Application error/i)).toHaveCount(0);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(trouble).toEqual([]);
});
