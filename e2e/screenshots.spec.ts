/**
 * README pictures, regenerated from a real run: `SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts`
 * (after `npx next build`) writes docs/live-view.png, docs/trace.png, docs/agent-graph.png and
 * docs/compare.png from the demo swarm the suite boots. Skipped unless SCREENSHOTS is set, so
 * the normal suite never rewrites the committed images.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { TraceSummary } from '../lib/protocol/api';
import { loginAndOpen } from './login';
import { bigTrace } from './testAgents';

const DOCS = path.resolve(import.meta.dirname, '..', 'docs');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(DOCS, name) });

test.skip(!process.env.SCREENSHOTS, 'set SCREENSHOTS=1 to regenerate the README screenshots');
test.use({ viewport: { width: 1440, height: 860 }, colorScheme: 'dark' });

async function traces(page: Page, query: string): Promise<TraceSummary[]> {
  const r = await page.request.get(`/api/traces?${query}`);
  expect(r.ok()).toBe(true);
  return (await r.json()).traces;
}

test('[A4] README screenshots: live view, trace, agent graph, comparison', async ({ page }) => {
  test.setTimeout(120_000);
  await loginAndOpen(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  // Let the demo swarm run a while so the graph has calls, errors and a settled layout.
  await page.waitForTimeout(12_000);
  await page.getByLabel('Search agents').fill('worker-3.relay');
  await page.getByLabel('Search agents').press('Enter');
  await page.getByLabel('Search agents').fill('');
  await expect(page.getByTestId('token-stream').getByTestId('stream-span').first()).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('zoom-fit').click();
  await page.waitForTimeout(1500);
  await shot(page, 'live-view.png');

  // A finished trace with a failure and a nested lookup: the richest picture of the waterfall.
  const failing = (await traces(page, 'status=error&limit=100')).filter((t) => t.events > 20 && t.agents.length >= 3);
  const failed = failing[0] ?? (await traces(page, 'status=error'))[0];
  expect(failed, 'the demo swarm produced a failing trace').toBeTruthy();
  await page.goto(`/trace/${failed.trace_id}`);
  await expect(page.getByTestId('axis-tick').first()).toBeVisible();
  // The cursor readout on the axis: hover the middle of the rows.
  const wf = (await page.getByTestId('waterfall').boundingBox())!;
  await page.mouse.move(wf.x + wf.width * 0.7, wf.y + 30);
  await page.mouse.move(wf.x + wf.width * 0.72, wf.y + 40);
  await expect(page.getByTestId('cursor-readout')).toBeVisible();
  await shot(page, 'trace.png');

  await page.getByTestId('tab-graph').click();
  await expect(page.getByTestId('agent-node').first()).toBeVisible();
  await shot(page, 'agent-graph.png');

  // Two runs through the same worker, one failed and one fine: what differs.
  const worker = failed.agents.find((a) => a.startsWith('worker-')) ?? failed.agents[0];
  const ok = (await traces(page, `status=ok&agent=${encodeURIComponent(worker)}&limit=100`)).find((t) => t.events > 20);
  expect(ok, 'an ok trace through the same worker').toBeTruthy();
  await page.goto(`/compare?a=${ok!.trace_id}&b=${failed.trace_id}`);
  await expect(page.getByTestId('compare-row').first()).toBeVisible();
  await shot(page, 'compare.png');

  // The same views in the light theme.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`/trace/${failed.trace_id}`);
  await page.getByTestId('tab-graph').click();
  await expect(page.getByTestId('agent-node').first()).toBeVisible();
  await shot(page, 'agent-graph-light.png');

  // A big trace: folded past depth 3, the minimap beside the rows.
  const big = 'd0c5'.repeat(8);
  await bigTrace(big, 1000, 5);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`/trace/${big}`);
  await expect(page.getByTestId('minimap')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('trace-search').fill('step-77');
  await page.getByTestId('trace-search').press('Enter');
  await shot(page, 'trace-minimap.png');
});
