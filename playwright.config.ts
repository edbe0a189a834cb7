import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

/** The e2e suite boots the real custom server with the demo swarm, on ports of its own. */
export const E2E = {
  adminToken: 'e2e-admin-token-0123456789',
  // Overridable so two checkouts on one machine can run their suites side by side.
  port: Number(process.env.E2E_PORT ?? 3100),
  relayPort: Number(process.env.E2E_RELAY_PORT ?? 9102),
  embedHostPorts: [Number(process.env.E2E_EMBED_PORT ?? 3199), Number(process.env.E2E_EMBED_PORT ?? 3199) - 1] as const,
  dataDir: path.join(os.tmpdir(), `xray-e2e-${process.pid}-${Date.now()}`),
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${E2E.port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: 'node --import tsx scripts/demo.ts',
    url: `http://localhost:${E2E.port}/login`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(E2E.port),
      RELAY_PORT: String(E2E.relayPort),
      XRAY_DATA_DIR: E2E.dataDir,
      ADMIN_TOKEN: E2E.adminToken,
      // The embed test serves a host page from this origin (allowed) and from :3198 (not allowed).
      EMBED_FRAME_ANCESTORS: `'self' http://localhost:${Number(process.env.E2E_EMBED_PORT ?? 3199)}`,
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
