/**
 * G8 in the browser: the dashboard says when the event log is not writable (a real full
 * disk: a small tmpfs) and clears when space returns; a trace page for a trace deleted by
 * retention says it is older than the retention window. Runs its own server (full, with
 * Next) on free ports, since the suite's demo server keeps everything and has disk to spare.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { freePort, startServerProcess, type ServerProcess } from '../server/testing/serverProcess';

let server: ServerProcess | null = null;
let dataDir = '';
let base = '';
let relay = '';

test.beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-e2e-ops-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dataDir], { stdio: 'ignore' });
  } catch {
    test.skip(true, 'needs root to mount a small file system');
  }
  const [port, relayPort] = [await freePort(), await freePort()];
  server = await startServerProcess(
    {
      PORT: String(port),
      RELAY_PORT: String(relayPort),
      XRAY_DATA_DIR: dataDir,
      ADMIN_TOKEN: E2E.adminToken,
      XRAY_RETENTION: '2s',
      XRAY_RETENTION_INTERVAL: '200ms',
      XRAY_STORAGE_PROBE_INTERVAL: '200ms',
      XRAY_STORAGE_HEADROOM_BYTES: '256KiB',
    },
    [],
  );
  base = `http://localhost:${port}`;
  relay = `http://127.0.0.1:${relayPort}`;
});

test.afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  try {
    execFileSync('umount', ['-l', dataDir]);
  } catch {
    /* not mounted */
  }
});

const postFrames = (frames: unknown[]) =>
  fetch(`${relay}/v1/frames`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-agent-name': 'e2e-ops' }, body: JSON.stringify(frames) });

async function login(page: import('@playwright/test').Page, to: string): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(to)}`);
  await page.getByLabel('Admin token').fill(E2E.adminToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname === to);
}

test('[G8] a trace deleted by retention says it is older than the retention window', async ({ page }) => {
  const traceId = 'e0'.repeat(16);
  expect((await postFrames([{ type: 'span.start', trace_id: traceId, span_id: '3'.repeat(16), name: 'old' }, { type: 'span.end', trace_id: traceId, span_id: '3'.repeat(16) }])).status).toBe(200);
  await expect.poll(async () => (await fetch(`${base}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${E2E.adminToken}` } })).status, { timeout: 15_000 }).toBe(410);
  await login(page, `/trace/${traceId}`);
  await expect(page.getByTestId('trace-expired')).toContainText('older than the retention window');
  await page.screenshot({ path: test.info().outputPath('trace-expired.png') });
});

test('[G8] the dashboard shows a banner while the log is not writable and clears it when space returns', async ({ page }) => {
  await login(page, '/');
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  await expect(page.getByTestId('storage-banner')).toHaveCount(0);
  // Fill the disk, then write until the log runs into it.
  const filler = path.join(dataDir, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 1));
  } catch {
    /* ENOSPC */
  }
  fs.closeSync(fd);
  const text = 'x'.repeat(8 * 1024);
  await expect
    .poll(async () => (await postFrames(Array.from({ length: 20 }, () => ({ type: 'token', text })))).status, { timeout: 30_000, intervals: [50] })
    .toBe(503);
  const banner = page.getByTestId('storage-banner');
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).toContainText('not writable');
  await page.screenshot({ path: test.info().outputPath('storage-banner.png') });
  fs.rmSync(filler);
  await expect.poll(async () => (await postFrames([{ type: 'token', text: 'back' }])).status, { timeout: 15_000 }).toBe(200);
  await expect(banner).toHaveCount(0, { timeout: 15_000 });
});
