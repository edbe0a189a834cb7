/**
 * 5. Browser: frame time of the live view in Debian chromium with N agents streaming, and the
 * time to open a trace of 1,000 spans / 100,000 tokens. Two frame figures: the view's own
 * per-frame work (simulation tick + canvas draw, from window.__xrayFrameTimes) and the
 * interval between animation frames the page actually got.
 */
import { chromium, type Page } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, sleep, start, type XrayProc } from './procs';
import { percentile, round } from './stats';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs in the page. A string, not a function: tsx's keepNames would inject a helper the page lacks. */
const SAMPLE_FRAMES = `(ms) => new Promise((resolve) => {
  window.__xrayFrameTimes.length = 0;
  const out = [];
  let last = performance.now();
  const end = last + ms;
  const step = (now) => {
    out.push(now - last);
    last = now;
    if (now < end) requestAnimationFrame(step);
    else resolve({ intervals: out, work: [...window.__xrayFrameTimes] });
  };
  requestAnimationFrame(step);
})`;

async function frameStats(page: Page, seconds: number) {
  const { intervals, work } = (await page.evaluate(`(${SAMPLE_FRAMES})(${seconds * 1000})`)) as { intervals: number[]; work: number[] };
  return { work_p50_ms: round(percentile(work, 50), 2), work_p95_ms: round(percentile(work, 95), 2), frame_interval_p50_ms: round(percentile(intervals, 50), 1), frame_interval_p95_ms: round(percentile(intervals, 95), 1), frames: intervals.length };
}

export async function benchBrowser(x: XrayProc, p: { agentCounts: number[]; sampleSeconds: number; traceSpans: number; traceTokensPerSpan: number }) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const base = `http://127.0.0.1:${x.port}`;
  await page.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/`);
  await page.getByLabel('Group agents').selectOption('never'); // worst case: every agent is its own node
  const live: Record<string, unknown>[] = [];
  let existing = 0;
  for (const n of p.agentCounts) {
    // Each agent streams a token every two seconds; all stay connected while we sample.
    const gen = start(['bench/loadgen.ts', JSON.stringify({ url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: n, namePrefix: `view${n}`, seconds: p.sampleSeconds + 20, rate: Math.max(1, n / 2), batch: 1, ack: false, stamp: false })]);
    await gen.line((l) => l === 'sending', 120_000);
    const want = existing + n;
    // Polled from here, not with waitForFunction: our CSP (rightly) forbids eval in the page.
    const summary = page.locator('.node-list summary');
    for (const deadline = Date.now() + 60_000; Number(((await summary.textContent()) ?? '0').split(' ')[0]) < want; ) {
      if (Date.now() > deadline) throw new Error(`the view never showed ${want} agents`);
      await sleep(250);
    }
    await sleep(1500); // let the layout settle in
    live.push({ agents: n, ...(await frameStats(page, p.sampleSeconds)) });
    await gen.stop();
    existing = want;
  }

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
  return { live_view: live, trace_open: { spans: p.traceSpans, tokens: p.traceSpans * p.traceTokensPerSpan, median_ms: percentile(opens, 50), runs_ms: opens } };
}
