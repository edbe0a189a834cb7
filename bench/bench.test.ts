/**
 * Keeps the benchmark harness from rotting: `npm run bench -- --quick` must run end to end
 * against the real server and write every section of the results file with real numbers.
 * (It checks that figures exist and are sane, not how fast they are.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

it('[A5] runs the quick benchmark and writes every figure', { timeout: 240_000 }, () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'results.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'run.ts'), '--quick', '--out', out], { encoding: 'utf8', timeout: 230_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('metric');
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(report.mode).toBe('quick');
  const { ingest, latency, bandwidth, slow_client, browser, live_view } = report.results;
  expect(ingest.tokens_per_s.single).toBeGreaterThan(0);
  expect(ingest.tokens_per_s.batched_acked).toBeGreaterThan(0);
  expect(ingest.bare_ws_ceiling_msgs_per_s).toBeGreaterThan(0);
  expect(latency[0].samples).toBeGreaterThan(0);
  expect(latency[0].p99_ms).toBeGreaterThanOrEqual(latency[0].p50_ms);
  expect(bandwidth.overview_bytes).toBeGreaterThan(0);
  expect(bandwidth.naive_bytes).toBeGreaterThan(bandwidth.overview_bytes);
  expect(slow_client.tokens_lost).toBe(0);
  expect(slow_client.text_identical).toBe(true);
  expect(live_view[0].frames).toBeGreaterThan(10);
  expect(live_view[0].frame_interval_p95_ms).toBeGreaterThan(0);
  expect(browser.trace_open.median_ms).toBeGreaterThan(0);
  // Opening a trace from the traces list is measured (not how fast: that is the bench's job).
  const open = report.results.trace_open[0];
  expect(open.error).toBeUndefined();
  expect(open.median_ms).toBeGreaterThan(0);
});
