/**
 * 7. Opening a big trace: a trace of N spans × M tokens per span (a binary tree written through
 * POST /v1/frames), opened in Debian chromium. "Click → interactive" starts at the click on the
 * trace in the traces list and ends when the summary names every span, the first waterfall rows
 * are drawn and the selected span's text is on screen — what a person needs before they can
 * read or fold anything. Beside it, a full page load of the trace's URL (a shared link: server
 * render and scripts included). Each open in a fresh tab (a fresh query cache: nothing is
 * reused from the previous open in the page); medians of the repeats. The first open also
 * pays for the server's one build of the trace (the log read), later ones find it cached.
 * `first_open_ms` is that first (cold) open alone, `warm_median_ms` the median of the others.
 * `runs_ms` is timed in the page, from its pointerdown on the link to the first frame painted
 * with all three on screen (`interactiveStamp`). `driver_runs_ms` is timed by the driver, from
 * before Playwright's click (its checks before it presses, ~100 ms here) to when its waits for the
 * three return (40–80 ms after that paint here), as runs before 2026-11-22 06:00 did. From then
 * until 2026-11-22 12:20 `runs_ms` started at the pointerdown but still ended at the driver's waits.
 */
import os from 'node:os';
import { chromium, type Page } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, type XrayProc } from './procs';
import { percentile, round } from './stats';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs in the page (a string: tsx's keepNames would inject a helper the page lacks). */
const PRESS_STAMP = `document.addEventListener('pointerdown', () => { window.__xrayPressAt = performance.timeOrigin + performance.now(); }, { capture: true, once: true })`;

/**
 * Runs in the page: stamps `__xrayInteractiveAt` (epoch ms) at the first frame painted with what
 * `interactive` waits for: the summary naming every span, a waterfall row, the root's text.
 * DOM changes are only looked at (no layout forced from the observer); once all three are in
 * the DOM, each frame after it is painted (a task queued from its requestAnimationFrame) checks
 * that all three have a box.
 */
const interactiveStamp = (spans: number) => `(() => {
  const find = (id, text) => [...document.querySelectorAll('[data-testid=' + id + ']')].find((e) => e.textContent.includes(text));
  /** The three elements, or null while one is missing. */
  const present = () => {
    const all = [find('trace-summary', '${spans} spans'), document.querySelector('[data-testid=waterfall-row]'), find('node-text', '[1]')];
    return all.every(Boolean) ? all : null;
  };
  let checking = false;
  // Each frame once all three are in the DOM: after it is painted (a task queued from its
  // requestAnimationFrame), stamp if all three have a box; else look again after the next frame.
  const check = () => requestAnimationFrame(() => setTimeout(() => {
    const all = present();
    if (all && all.every((e) => e.getClientRects().length > 0)) {
      window.__xrayInteractiveAt = performance.timeOrigin + performance.now();
      mo.disconnect();
    } else if (all) check();
    else checking = false;
  }, 0));
  const mo = new MutationObserver(() => {
    if (checking || !present()) return;
    checking = true;
    check();
  });
  mo.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
})()`;

export interface TraceOpenParams {
  spans: number;
  tokensPerSpan: number;
  opens: number;
  /** A distinct trace id per size, so sizes measured in one run do not share cached reads. */
  traceId: string;
  /** Also time a full page load of the trace's URL (full runs; the quick run skips it to stay short). */
  pageLoad?: boolean;
}

export async function benchTraceOpen(x: XrayProc, p: TraceOpenParams) {
  const t0 = Date.now();
  await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, p.traceId, p.spans, p.tokensPerSpan, `bench-open-${p.spans}`);
  const write_s = round((Date.now() - t0) / 1000, 1);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const base = `http://127.0.0.1:${x.port}`;
  const opens: number[] = [];
  /** The same opens timed from before Playwright's click (its actionability checks included), as earlier runs reported them. */
  const driverOpens: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.newPage();
    // Logs in and warms the page's JavaScript (a person's browser has the app cached when they click a trace).
    await login.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/traces`);
    await login.waitForLoadState('networkidle');
    const loadavg = round(os.loadavg()[0], 2);
    const interactive = async (page: Page) => {
      await page.getByTestId('trace-summary').filter({ hasText: `${p.spans} spans` }).waitFor({ timeout: 120_000 });
      await page.getByTestId('waterfall-row').first().waitFor({ timeout: 120_000 });
      // The selected span's text (the root's first token is `[1]`).
      await page.getByTestId('node-text').filter({ hasText: '[1]' }).waitFor({ timeout: 120_000 });
    };
    const loads: number[] = [];
    for (let i = 0; i < p.opens; i++) {
      // Click → interactive: from the traces list, as a person opens a trace (the app is loaded).
      const list = await context.newPage();
      await list.goto(`${base}/traces`);
      const link = list.locator(`a[href="/trace/${p.traceId}"]`).first();
      await link.waitFor({ timeout: 60_000 });
      await list.waitForLoadState('networkidle');
      // The click starts when the button goes down on the link (the page's own pointerdown, in
      // epoch ms like Date.now()): Playwright's checks before it presses (scrolled into view,
      // stable for two frames, hit target) take ~100 ms here and are no part of what a person waits for.
      await list.evaluate(PRESS_STAMP);
      await list.evaluate(interactiveStamp(p.spans));
      let t = Date.now();
      await link.click();
      await interactive(list);
      const end = Date.now();
      const pressedAt = (await list.evaluate('window.__xrayPressAt')) as number | undefined;
      // The page's stamp lands a task after the paint; the driver's waits can return before it.
      await list.waitForFunction('window.__xrayInteractiveAt', undefined, { timeout: 10_000 });
      const interactiveAt = (await list.evaluate('window.__xrayInteractiveAt')) as number;
      opens.push(Math.round(interactiveAt - (pressedAt ?? t)));
      driverOpens.push(end - t);
      await list.close();
      if (p.pageLoad === false) continue;
      // A cold page load of the trace's URL (a shared link): server render + scripts + the same reads.
      const page = await context.newPage();
      t = Date.now();
      await page.goto(`${base}/trace/${p.traceId}`);
      await interactive(page);
      loads.push(Date.now() - t);
      await page.close();
    }
    return { spans: p.spans, tokens: p.spans * p.tokensPerSpan, write_s, loadavg_1m: loadavg, cpus: os.cpus().length, median_ms: percentile(opens, 50), runs_ms: opens, first_open_ms: opens[0] ?? null, warm_median_ms: opens.length > 1 ? percentile(opens.slice(1), 50) : null, driver_median_ms: percentile(driverOpens, 50), driver_runs_ms: driverOpens, page_load_median_ms: loads.length ? percentile(loads, 50) : null, page_load_runs_ms: loads };
  } finally {
    await browser.close();
  }
}
