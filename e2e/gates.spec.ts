import { expect, test } from '@playwright/test';
import { loginAndOpen } from './login';

test('[C6] the Gates page shows the demo gate live, and a verdict leads to its evidence span', async ({ page }) => {
  await loginAndOpen(page, '/gates');
  const card = page.getByTestId('gate-card').filter({ hasText: 'security_scan' });
  await expect(card).toBeVisible();
  await expect(card).toContainText('vulnerabilities.critical: 0');
  // The demo's releases check the gate every few seconds.
  const passed = card.locator('[data-testid="verdict-row"][data-verdict="pass"]');
  await expect(passed.first()).toBeVisible({ timeout: 30_000 });
  await expect(card.getByTestId('first-attempt-rate')).toHaveText(/^\d+%$/);
  await page.screenshot({ path: test.info().outputPath('gates.png') });

  const evidence = passed.first().getByTestId('evidence-link').first();
  const spanId = (await evidence.textContent())!.trim();
  await evidence.click();
  await page.waitForURL(new RegExp(`/trace/[0-9a-f]{32}\\?span=${spanId}$`));
  const detail = page.getByTestId('node-detail');
  await expect(detail).toContainText('security-scanner · security_scan_complete');
  await expect(detail).toContainText(spanId);
  await expect(detail).toContainText('vulnerabilities.critical');
  // The same trace holds the verdict as a node.
  await expect(page.getByTestId('waterfall-row').filter({ hasText: 'gate security_scan: pass' }).first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('evidence-span.png') });
});

test('[C6] a verdict links to its gate node, whose evidence link selects the scan span', async ({ page }) => {
  await loginAndOpen(page, '/gates');
  const passed = page.getByTestId('gate-card').filter({ hasText: 'security_scan' }).locator('[data-testid="verdict-row"][data-verdict="pass"]');
  await expect(passed.first()).toBeVisible({ timeout: 30_000 });
  await passed.first().getByTestId('verdict-trace-link').click();
  await page.waitForURL(/\/trace\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/);
  await expect(page.getByTestId('node-detail')).toContainText('gate security_scan: pass');
  await expect(page.getByTestId('gate-requirements')).toContainText('met by span');
  await page.getByTestId('gate-evidence-link').first().click();
  await expect(page.getByTestId('node-detail')).toContainText('security_scan_complete');
});

test('[C6] the Traces page finds spans by selector and shows a bad selector position', async ({ page }) => {
  await loginAndOpen(page, '/traces');
  const box = page.getByLabel('Span selector');
  await box.fill('span[name="security_scan_complete" agent="security-scanner"]');
  await page.getByRole('button', { name: 'Find spans' }).click();
  await expect(page.getByTestId('span-row').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('span-row').first()).toContainText('security-scanner');
  await box.fill('span[name=]');
  await page.getByRole('button', { name: 'Find spans' }).click();
  await expect(page.getByTestId('selector-error')).toContainText('position 10');
});
