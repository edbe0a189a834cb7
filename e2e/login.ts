import type { Page } from '@playwright/test';
import { E2E } from '../playwright.config';

/** Logs in through the real form; the server sends the browser back to `path` (deep links survive the login redirect). */
export async function loginAndOpen(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Admin token').fill(E2E.adminToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname + url.search === path);
}
