/**
 * 5. Browser: the time to open a trace of 1,000 spans / 100,000 tokens in Debian chromium.
 * (The live view's frame interval is bench/liveView.ts.)
 */
import { chromium } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, type XrayProc } from './procs';
import { percentile } from './stats';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function benchBrowser(x: XrayProc, p: { traceSpans: number; traceTokensPerSpan: number }) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const base = `http://127.0.0.1:${x.port}`;
  await page.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/`);
  // Open a big trace, written through the REST frames endpoint.
  const traceId = 'bbbbbbbb'.repeat(4);
  await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, traceId, p.traceSpans, p.traceTokensPerSpan, 'bench-trace');
  const opens: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    await page.goto(`${base}/trace/${traceId}`);
    await page.getByTestId('trace-summary').filter({ hasText: `${p.traceSpans} spans` }).waitFor({ timeout: 60_000 });
    await page.getByTestId('waterfall-row').first().waitFor();
    opens.push(Date.now() - t0);
  }
  await browser.close();
  return { trace_open: { spans: p.traceSpans, tokens: p.traceSpans * p.traceTokensPerSpan, median_ms: percentile(opens, 50), runs_ms: opens } };
}
