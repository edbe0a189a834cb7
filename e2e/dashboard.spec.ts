import { expect, test } from '@playwright/test';
import { loginAndOpen } from './login';

test('the dashboard shows the demo swarm’s agents live, with a growing event count', async ({ page }) => {
  await loginAndOpen(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  const rows = page.getByTestId('agent-row');
  // The orchestrator and 8 workers of the demo swarm appear as they register.
  await expect(rows.filter({ hasText: 'orchestrator.relay' })).toHaveCount(1);
  for (let i = 1; i <= 8; i++) await expect(rows.filter({ hasText: `worker-${i}.relay` })).toHaveCount(1);
  const first = Number(await page.getByTestId('event-count').textContent());
  await expect.poll(async () => Number(await page.getByTestId('event-count').textContent())).toBeGreaterThan(first);
  // Some worker streams tokens: its tokens counter and latest text fill in.
  await expect(page.locator('[data-testid="agent-row"] td.text').filter({ hasText: /\w+/ }).first()).toBeVisible();
  expect(Number(await page.getByTestId('gaps').textContent())).toBe(0);
  await page.screenshot({ path: test.info().outputPath('dashboard.png'), fullPage: true });
});
