import http from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { E2E } from '../playwright.config';
import { TokenSigner } from '../server/auth/signedToken';
import { loginAndOpen } from './login';
import { bigTrace, failingChain } from './testAgents';

/**
 * Opens a trace from the traces list after its link's early read has arrived: hovers the link
 * (which starts the outline read), waits for that response, then clicks. Returns the response.
 */
async function openAfterLinkReadArrived(page: Page, traceId: string) {
  const link = page.locator(`a[href="/trace/${traceId}"]`);
  const arrived = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/traces/${traceId}/outline`);
  await link.hover();
  const response = await arrived;
  await link.click();
  return response;
}

test('[V8] a deep link to a failing trace opens it after login, with the right tree, text and failing path', async ({ page }) => {
  const chain = await failingChain();
  try {
    await loginAndOpen(page, `/trace/${chain.traceId}`);
    await expect(page.getByTestId('trace-id')).toHaveText(chain.traceId);
    const rows = page.getByTestId('waterfall-row');
    const planner = rows.filter({ hasText: 'e2e-planner' }).filter({ hasText: 'process' });
    const tool = rows.filter({ hasText: 'e2e-tool' }).filter({ hasText: 'lookup' });
    await expect(planner).toHaveCount(1);
    await expect(tool).toHaveCount(1);
    await expect(planner).toHaveAttribute('data-failure-path', 'true');
    await expect(tool).toHaveAttribute('data-failure-path', 'true');
    await expect(tool).toHaveAttribute('data-status', 'error');
    const failures = page.getByTestId('failure-paths');
    await expect(failures).toContainText('index offline');
    await expect(failures).toContainText('e2e-planner');
    // The root cause is selected first; then the planner's own text.
    await expect(page.getByTestId('node-error')).toContainText('index offline');
    await planner.click();
    await expect(page.getByTestId('node-text')).toHaveText('Planning step one: look up the facts in the index.');
    await page.screenshot({ path: test.info().outputPath('trace-view.png') });
  } finally {
    chain.close();
  }
});

test('[V8] a trace opened from the traces list renders from the read its link started: one outline read, the right tree', async ({ page }) => {
  const chain = await failingChain();
  try {
    await loginAndOpen(page, '/traces');
    const outline = `/api/traces/${chain.traceId}/outline`;
    let reads = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === outline) reads++;
    });
    // Hovering the link starts the read; it has arrived before the click, so the page takes it as its data.
    expect((await openAfterLinkReadArrived(page, chain.traceId)).status()).toBe(200);
    await page.waitForURL(`**/trace/${chain.traceId}`);
    await expect(page.getByTestId('trace-id')).toHaveText(chain.traceId);
    const rows = page.getByTestId('waterfall-row');
    await expect(rows.filter({ hasText: 'e2e-planner' }).filter({ hasText: 'process' })).toHaveAttribute('data-failure-path', 'true');
    await expect(rows.filter({ hasText: 'e2e-tool' }).filter({ hasText: 'lookup' })).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('node-error')).toContainText('index offline');
    // Taken as fresh data (dated when the read started): the page does not read the outline again on mount.
    await page.waitForLoadState('networkidle');
    expect(reads).toBe(1);
  } finally {
    chain.close();
  }
});

test('[V8] opening a trace from the traces list and going back keeps the tab on its one live connection', async ({ page }) => {
  const chain = await failingChain();
  try {
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await loginAndOpen(page, '/traces');
    await expect.poll(() => sockets.length).toBe(1);
    await page.locator(`a[href="/trace/${chain.traceId}"]`).click();
    await expect(page.getByTestId('trace-id')).toHaveText(chain.traceId);
    await page.goBack();
    await expect(page.locator(`a[href="/trace/${chain.traceId}"]`)).toBeVisible();
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.waitForURL('**/sessions');
    await page.waitForLoadState('networkidle');
    // The console pages share one layout: the socket, the query cache and the top bar stay mounted.
    expect(sockets).toHaveLength(1);
  } finally {
    chain.close();
  }
});

test('[V8] the trace appears with its selected node and that node\'s text in the same render', async ({ page }) => {
  const chain = await failingChain();
  try {
    // Watches the DOM from before the page's scripts run: when the trace summary first appears,
    // is the selected node's detail already there? (One render, one paint: no frame without it.)
    await page.addInitScript(() => {
      const w = window as unknown as { __firstTraceRender?: { detail: boolean; text: string | null } };
      new MutationObserver((_, mo) => {
        if (!document.querySelector('[data-testid=trace-summary]')) return;
        w.__firstTraceRender = { detail: !!document.querySelector('[data-testid=node-detail]'), text: document.querySelector('[data-testid=node-text]')?.textContent ?? null };
        mo.disconnect();
      }).observe(document, { subtree: true, childList: true });
    });
    await loginAndOpen(page, '/traces');
    // Opened as a person does: the link's read has arrived when the click's navigation renders
    // the trace (a transition render, after which an effect would run a task later, past a paint).
    await openAfterLinkReadArrived(page, chain.traceId);
    await expect(page.getByTestId('trace-id')).toHaveText(chain.traceId);
    await page.waitForFunction(() => '__firstTraceRender' in window);
    // The root cause is the failing tool call: its own text is what the first render shows.
    expect(await page.evaluate(() => (window as unknown as { __firstTraceRender: unknown }).__firstTraceRender)).toEqual({ detail: true, text: 'searching the index…' });
  } finally {
    chain.close();
  }
});

test('[V8] replay moves the playhead and the text grows with it', async ({ page }) => {
  const chain = await failingChain();
  try {
    await loginAndOpen(page, `/trace/${chain.traceId}`);
    await page.getByTestId('waterfall-row').filter({ hasText: 'e2e-planner' }).filter({ hasText: 'process' }).click();
    await page.getByRole('button', { name: '1×' }).click();
    // Sampled inside the page every animation frame: a sampling loop of Playwright round trips
    // is too coarse on a loaded machine for a replay that lasts about a second.
    const sampling = page.evaluate(`new Promise((resolve) => {
      const out = [];
      const end = performance.now() + 4000;
      const step = () => {
        const s = document.querySelector('[data-testid="replay-scrubber"]');
        const t = document.querySelector('[data-testid="node-text"]');
        out.push([Number(s ? s.value : 0), ((t && t.textContent) || '').length]);
        if (performance.now() < end) requestAnimationFrame(step);
        else resolve(out);
      };
      requestAnimationFrame(step);
    })`) as Promise<[number, number][]>;
    await page.getByTestId('replay-play').click();
    const samples = await sampling;
    const positions = samples.map(([p]) => p);
    const lengths = new Set(samples.map(([, l]) => l));
    expect(Math.max(...positions)).toBeGreaterThan(Math.min(...positions));
    expect(lengths.size).toBeGreaterThan(2); // the text grew through several lengths, not just empty → full
    await expect(page.getByTestId('node-text')).toHaveText('Planning step one: look up the facts in the index.', { timeout: 10_000 });
  } finally {
    chain.close();
  }
});

function hostPage(port: number, src: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>host</title><iframe id="xray" src="${src}" width="900" height="500"></iframe>`);
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

test('[G7] the embed works in an iframe on an allowed origin and is refused by CSP on another', async ({ page, browser }) => {
  const chain = await failingChain();
  const servers: http.Server[] = [];
  try {
    await loginAndOpen(page, '/traces');
    const minted = await page.request.post('/api/embed-tokens', { data: { scope: `trace:${chain.traceId}`, ttl_s: 600 } });
    expect(minted.status()).toBe(200);
    const { url, iframe } = await minted.json();
    expect(iframe).toContain(url.replaceAll('&', '&'));
    const src = url.replace('localhost', 'localhost'); // absolute URL on the dashboard origin

    // A browser with no session at all: only the embed token grants access.
    const anon = await browser.newContext();
    const p = await anon.newPage();
    servers.push(await hostPage(E2E.embedHostPorts[0], src));
    await p.goto(`http://localhost:${E2E.embedHostPorts[0]}/`);
    await expect(p.frameLocator('#xray').getByTestId('trace-id')).toHaveText(chain.traceId);
    await expect(p.frameLocator('#xray').getByTestId('waterfall-row').filter({ hasText: 'e2e-tool' })).toHaveCount(1);

    servers.push(await hostPage(E2E.embedHostPorts[1], src));
    const blocked: string[] = [];
    p.on('console', (m) => blocked.push(m.text()));
    await p.goto(`http://localhost:${E2E.embedHostPorts[1]}/`);
    await p.waitForTimeout(1500);
    await expect(p.frameLocator('#xray').getByTestId('trace-id')).toHaveCount(0);
    expect(blocked.join('\n')).toMatch(/frame-ancestors|Refused to frame/i);
    await anon.close();
  } finally {
    chain.close();
    for (const s of servers) s.close();
  }
});

test('[G7] an expired or tampered embed token is refused with a clear message', async ({ browser }) => {
  const trace = 'e'.repeat(32);
  const signer = new TokenSigner(E2E.adminToken);
  const expired = signer.issue('embed', 60, `trace:${trace}`, Date.now() - 3600_000);
  const valid = signer.issue('embed', 600, `trace:${trace}`);
  const tampered = valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  for (const [token, message] of [
    [expired, /expired/],
    [tampered, /not valid/],
    [signer.issue('embed', 600, 'swarm'), /different view/],
  ] as const) {
    const r = await p.goto(`/embed/trace/${trace}?token=${encodeURIComponent(token)}`);
    expect(r!.status()).toBe(403);
    await expect(p.getByTestId('embed-refused')).toHaveText(message);
  }
  await ctx.close();
});

test('[V8] a trace of 1,000 spans and 100,000 tokens opens and scrolls', async ({ page }) => {
  test.setTimeout(120_000);
  const traceId = 'b16'.padEnd(32, '0').replace(/^(.{31})./, '$11');
  await bigTrace(traceId, 1000, 100);
  await loginAndOpen(page, '/traces');
  const started = Date.now();
  await page.goto(`/trace/${traceId}`);
  await expect(page.getByTestId('trace-summary')).toContainText('1000 spans · 100,000 tokens', { timeout: 30_000 });
  test.info().annotations.push({ type: 'open-ms', description: String(Date.now() - started) });
  // Virtualized: far fewer rows in the DOM than spans, and scrolling reaches the last one.
  expect(await page.getByTestId('waterfall-row').count()).toBeLessThan(200);
  await page.getByTestId('waterfall').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.getByTestId('waterfall-row').filter({ hasText: 'step-1000' })).toHaveCount(1);
});
