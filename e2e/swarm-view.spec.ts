import { expect, test } from '@playwright/test';
import { loginAndOpen } from './login';
import { callAgent, faultyAgent, SpareServer } from './testAgents';

test('[V7] agents of the demo swarm appear in the graph', async ({ page }) => {
  await loginAndOpen(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  await page.getByText(/nodes? in the graph/).click(); // open the list view that mirrors the canvas
  const nodes = page.getByTestId('graph-node');
  await expect(nodes.filter({ hasText: 'orchestrator.relay' })).toHaveCount(1);
  for (let i = 1; i <= 8; i++) await expect(page.locator(`[data-testid="graph-node"][data-node="worker-${i}.relay"]`)).toHaveCount(1);
  // The canvas really draws: some pixels are not the background.
  const painted = await page.locator('canvas.graph-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4 * 16) if (d[i] > 0) n++;
    return n;
  });
  expect(painted).toBeGreaterThan(50);
  await page.screenshot({ path: test.info().outputPath('swarm-view.png') });
});

test('[V7] selecting an agent shows its live token stream, and the text grows', async ({ page }) => {
  await loginAndOpen(page, '/');
  // Enter selects the first match among the nodes drawn so far: on a cold page the graph may
  // not hold worker-2 yet when the test types, so press again until it does.
  await page.getByLabel('Search agents').fill('worker-2.relay');
  await expect(async () => {
    await page.getByLabel('Search agents').press('Enter');
    await expect(page.getByTestId('inspector')).toContainText('worker-2.relay', { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  const stream = page.getByTestId('token-stream');
  await expect(stream.getByTestId('stream-span').first()).toBeVisible({ timeout: 30_000 });
  // The panel shows only the most recently updated spans, so its total length can shrink as old
  // blocks rotate out: what proves the stream is live is new text arriving, i.e. the text changing.
  const text = async () => stream.innerText();
  const before = await text();
  await expect.poll(text, { timeout: 30_000 }).not.toBe(before);
  await expect(stream.locator('a.trace-link').first()).toHaveAttribute('href', /^\/trace\/[0-9a-f]{32}$/);
  // Esc clears the selection.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector')).toHaveCount(0);
});

test('[V7] the node list opened before the page hydrates still lists the nodes', async ({ page }) => {
  // The summary is server-rendered: a click can land before React listens for the toggle (this
  // once left the list empty in CI). Holding the scripts back makes that ordering certain.
  await loginAndOpen(page, '/');
  let releaseApp!: () => void;
  const heldApp = new Promise<void>((r) => (releaseApp = r));
  // Scripts only: held stylesheets would keep the page from painting at all.
  await page.route((url) => url.pathname.startsWith('/_next/static/') && url.pathname.endsWith('.js'), async (route) => {
    await heldApp;
    await route.continue();
  });
  await page.reload({ waitUntil: 'commit' });
  await page.getByText(/nodes? in the graph/).click();
  await expect(page.locator('details.node-list')).toHaveAttribute('open', '');
  releaseApp();
  await expect(page.locator('[data-testid="graph-node"][data-node="orchestrator.relay"]')).toHaveCount(1);
});

test('[V7] an error injected by the test swarm is shown on the right node', async ({ page }) => {
  const ws = await faultyAgent('e2e-faulty');
  try {
    await loginAndOpen(page, '/');
    await page.getByText(/nodes? in the graph/).click();
    const node = page.locator('[data-testid="graph-node"][data-node="e2e-faulty"]');
    await expect(node).toHaveCount(1);
    const r = await callAgent('e2e-faulty');
    expect(r.status).toBe(502);
    await expect(node).toHaveAttribute('data-status', 'error');
    await expect(node).toHaveAttribute('data-errors', '1');
    // The caller did not take the blame: the error sits on the worker that failed.
    await expect(page.locator('[data-testid="graph-node"][data-node="rest"]')).toHaveAttribute('data-errors', '0');
    await page.getByLabel('Search agents').fill('e2e-faulty');
    await page.getByLabel('Search agents').press('Enter');
    await expect(page.getByTestId('inspector-last-error')).toContainText('injected failure: tool crashed');
  } finally {
    ws.close();
  }
});

test('[V7] the connection-lost banner appears when the server stops and clears when it returns', async ({ page }) => {
  const spare = new SpareServer();
  await spare.start();
  try {
    await page.goto(`http://localhost:${spare.port}/login?next=/`);
    await page.getByLabel('Admin token').fill((await import('../playwright.config')).E2E.adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('connection-status')).toHaveText('live');
    await expect(page.getByTestId('connection-lost')).toHaveCount(0);
    await spare.stop();
    await expect(page.getByTestId('connection-lost')).toBeVisible();
    await spare.start();
    await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId('connection-status')).toHaveText('live');
  } finally {
    await spare.stop();
  }
});
