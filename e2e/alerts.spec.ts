import { expect, test } from '@playwright/test';
import { loginAndOpen } from './login';
import { failingChain } from './testAgents';

const RULES = `receivers: []
rules:
  - name: e2e tool failing
    kind: error_share
    agent: e2e-tool
    window: 5m
    above: 0.5
    severity: critical
    labels: { team: e2e }
`;

test('[AL4] rules are edited on the Alerts page (a bad file is refused with the reason), the bell counts the firing alert, and the alert leads to its trace', async ({ page }) => {
  await loginAndOpen(page, '/alerts');
  const editor = page.getByLabel('Alert rules (YAML)');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('alert-bell')).toHaveAttribute('aria-label', 'Alerts: none firing');

  // [G6] bad YAML is refused by the server with a reason; nothing is applied.
  await editor.fill('rules: [');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByTestId('rules-save-error')).toContainText('YAML');

  await editor.fill(RULES);
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByText('Saved and applied.')).toBeVisible();
  await expect(page.getByText('error share > 0.5 over 5m')).toBeVisible();

  const chain = await failingChain();
  try {
    // The bell, on any page, counts the firing alert.
    await page.goto('/traces');
    await expect(page.getByTestId('alert-count')).toHaveText('1');
    await page.getByTestId('alert-bell').click();
    await page.waitForURL(/\/alerts$/);
    const row = page.getByTestId('active-alert').filter({ hasText: 'e2e tool failing' });
    await expect(row).toContainText('firing');
    await expect(row).toContainText('100.0%');
    await expect(page.getByRole('table', { name: 'alert history' })).toContainText('e2e tool failing');
    await page.screenshot({ path: test.info().outputPath('alerts.png') });
    await row.getByTestId('alert-trace-link').first().click();
    await page.waitForURL(`**/trace/${chain.traceId}`);
    await expect(page.getByTestId('trace-id')).toHaveText(chain.traceId);
  } finally {
    chain.close();
  }
});
