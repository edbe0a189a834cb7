/**
 * `/metrics` on a real server: prom-client's standard families plus ours, base units, and the
 * live output accepted by Prometheus' own linter (`promtool check metrics`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { TestDashboard } from '../testing/dashboardClient';
import { tempDir, TestAgent } from '../testing/harness';
import { startXray, type Xray } from '../xray';

const ADMIN_TOKEN = 'metrics-test-admin-token';
let xray: Xray;
let dashUrl = '';
let dashboard: TestDashboard;

const promtool = ['/usr/bin/promtool', ...(process.env.PATH ?? '').split(':').map((d) => `${d}/promtool`)].find((p) => fs.existsSync(p));
// In CI the linter must run (`.ci/run` installs it); on a developer machine without it, skip.
const lintable = Boolean(promtool) || Boolean(process.env.CI);

beforeAll(async () => {
  const config = { ...loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN, XRAY_OTLP_EXPORT_URL: 'http://127.0.0.1:9/v1/traces', XRAY_FANOUT_WINDOW_BYTES: '3MiB' }), port: 0, relayPort: 0, host: '127.0.0.1', dataDir: tempDir() };
  xray = await startXray(config, { next: false });
  dashUrl = `http://127.0.0.1:${xray.observation!.port}`;
  // A dashboard watches, so the fanout window fills (an unwatched relay keeps none).
  dashboard = new TestDashboard(dashUrl, { authorization: `Bearer ${ADMIN_TOKEN}` });
  await dashboard.connected();
  // The exporter is on (towards a closed port) so its figures are linted too.
  // Some traffic so counters and the latency histogram are non-trivial.
  const agent = await TestAgent.connect(`ws://127.0.0.1:${xray.data.relayPort}/ws`, 'metrics-agent');
  agent.send({ type: 'token', text: 'hello' });
  await new Promise((r) => setTimeout(r, 200));
  agent.ws.close();
});
afterAll(async () => {
  dashboard?.socket.close();
  await xray?.close();
});

const scrape = async () => {
  const res = await fetch(`${dashUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return res.text();
};

describe('/metrics', () => {
  it('[V1] exposes the standard process and Node.js families beside ours, in base units', async () => {
    const text = await scrape();
    for (const family of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'xray_events_committed_total', 'xray_fanout_latency_seconds_bucket', 'xray_process_heap_used_bytes', 'xray_heap_releases_total', 'xray_heap_released_bytes_total', 'xray_log_commit_seconds_bucket', 'xray_otlp_export_dropped_spans_total']) {
      expect(text).toMatch(new RegExp(`^${family}[ {]`, 'm'));
    }
    expect(text).not.toMatch(/_ms[ _{]/);
    const committed = Number(/^xray_events_committed_total (\d+)/m.exec(text)?.[1]);
    expect(committed).toBeGreaterThan(0);
    // The histogram is exposed in seconds: its +Inf bucket equals its count.
    const inf = Number(/^xray_fanout_latency_seconds_bucket\{le="\+Inf"\} (\d+)/m.exec(text)?.[1]);
    expect(inf).toBe(Number(/^xray_fanout_latency_seconds_count (\d+)/m.exec(text)?.[1]));
  });

  it('[G5] shows the fanout window: its fill and the byte bound XRAY_FANOUT_WINDOW_BYTES sets', async () => {
    const text = await scrape();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
    expect(value('xray_fanout_window_max_bytes')).toBe(3 * 2 ** 20);
    expect(value('xray_fanout_window_events')).toBeGreaterThan(0); // the agent's connect, register and token
    expect(value('xray_fanout_window_bytes')).toBeGreaterThan(0);
    expect(value('xray_fanout_window_bytes')).toBeLessThanOrEqual(3 * 2 ** 20);
  });

  it.skipIf(!lintable)('[V1] the live output passes promtool check metrics', async () => {
    expect(promtool, 'promtool must be installed in CI (.ci/run installs Debian prometheus)').toBeTruthy();
    const text = await scrape();
    const run = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
