/**
 * 7. Opening a big trace: a trace of N spans × M tokens per span (a binary tree written through
 * POST /v1/frames), opened in Debian chromium from a link. "Click → interactive" ends when the
 * summary names every span, the first waterfall rows are drawn and the selected span's text is
 * on screen — what a person needs before they can read or fold anything. Three opens in a fresh
 * tab each (so nothing is reused from the previous page); the median is the figure.
 */
import os from 'node:os';
import { chromium } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, type XrayProc } from './procs';
import { percentile, round } from './stats';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TraceOpenParams {
  spans: number;
  tokensPerSpan: number;
  opens: number;
  /** A distinct trace id per size, so sizes measured in one run do not share cached reads. */
  traceId: string;
}

export async function benchTraceOpen(x: XrayProc, p: TraceOpenParams) {
  const t0 = Date.now();
  await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, p.traceId, p.spans, p.tokensPerSpan, `bench-open-${p.spans}`);
  const write_s = round((Date.now() - t0) / 1000, 1);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const base = `http://127.0.0.1:${x.port}`;
  const opens: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.newPage();
    // Logs in and warms the page's JavaScript (a person's browser has the app cached when they click a trace).
    await login.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/traces`);
    await login.waitForLoadState('networkidle');
    const loadavg = round(os.loadavg()[0], 2);
    for (let i = 0; i < p.opens; i++) {
      const page = await context.newPage();
      const t = Date.now();
      await page.goto(`${base}/trace/${p.traceId}`);
      await page.getByTestId('trace-summary').filter({ hasText: `${p.spans.toLocaleString('en-US')} spans` }).or(page.getByTestId('trace-summary').filter({ hasText: `${p.spans} spans` })).waitFor({ timeout: 120_000 });
      await page.getByTestId('waterfall-row').first().waitFor({ timeout: 120_000 });
      // The selected span's text (the root's first token is `[1]`).
      await page.getByTestId('node-text').filter({ hasText: '[1]' }).waitFor({ timeout: 120_000 });
      opens.push(Date.now() - t);
      await page.close();
    }
    return { spans: p.spans, tokens: p.spans * p.tokensPerSpan, write_s, loadavg_1m: loadavg, cpus: os.cpus().length, median_ms: percentile(opens, 50), runs_ms: opens };
  } finally {
    await browser.close();
  }
}
