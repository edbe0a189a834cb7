import http from 'node:http';
import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { loginAndOpen } from './login';

/** A blank page on another port of this host: same site as the dashboard, so it gets the SameSite=Strict cookie. */
function otherPortPage(port: number): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another port</title><p>not the dashboard</p>');
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

test('[G7] a page on another port of this host cannot read the dashboard socket or log the admin out', async ({ page }) => {
  await loginAndOpen(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  const server = await otherPortPage(E2E.embedHostPorts[1]);
  try {
    await page.goto(`http://localhost:${E2E.embedHostPorts[1]}/`);
    const dashboard = `localhost:${E2E.port}`;
    // The real browser's handshake (Origin: http://localhost:<other port>, the admin's cookie attached).
    const socket = await page.evaluate(
      (host) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${host}/socket.io/?EIO=4&transport=websocket`);
          ws.onopen = () => ws.send('40/dashboard,');
          ws.onmessage = (m) => {
            const text = String(m.data);
            if (text.startsWith('40/dashboard')) resolve('connected with the admin session');
            else if (text.startsWith('44/dashboard')) resolve('unauthorized');
          };
          ws.onclose = () => resolve('refused');
          setTimeout(() => resolve('timeout'), 5000);
        }),
      dashboard,
    );
    expect(socket).toBe('refused');
    // A no-cors logout and embed-token mint from that page change nothing.
    await page.evaluate(async (host) => {
      await fetch(`http://${host}/auth/logout`, { method: 'POST', mode: 'no-cors', credentials: 'include' });
      await fetch(`http://${host}/api/embed-tokens`, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"scope":"swarm"}' });
    }, dashboard);
    await page.goto('/');
    await expect(page).not.toHaveURL(/\/login/);
    await expect(page.getByTestId('connection-status')).toHaveText('live');
  } finally {
    server.close();
  }
});

test('[G7] logging out ends the session everywhere: the old cookie is refused and a live tab drops to "not logged in"', async ({ page, context }) => {
  await loginAndOpen(page, '/');
  const cookie = (await context.cookies()).find((c) => c.name === 'xray_session')!;
  const other = await context.newPage();
  await other.goto('/');
  await expect(other.getByTestId('connection-status')).toHaveText('live');
  await page.getByRole('button', { name: 'log out' }).click();
  await page.waitForURL(/\/login/);
  await expect(other.getByTestId('connection-status')).toHaveText('not logged in');
  const replayed = await fetch(`http://localhost:${E2E.port}/api/agents`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  expect(replayed.status).toBe(401);
  await page.goto('/');
  await page.waitForURL(/\/login\?next=/);
});
