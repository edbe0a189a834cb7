/** A Playwright `test` that fails when a page logs a console error or throws (404s for icons included). */
import { test as base, expect } from '@playwright/test';

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
      await use(errors);
      expect(errors, 'console errors on the pages visited').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
