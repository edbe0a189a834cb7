/**
 * 6. Trace view interactivity: the trace page with N spans (1,000 by default) in Debian
 * chromium, sampled over a few seconds while (a) the waterfall scrolls every animation frame
 * and (b) the root subtree folds and unfolds every animation frame (the worst case: all rows
 * leave and come back). Frames per second = frames the page actually got / seconds; the p95
 * frame interval shows the stutter. Target: ≥ 50 fps while scrolling and folding.
 */
import os from 'node:os';
import { chromium } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, type XrayProc } from './procs';
import { percentile, round } from './stats';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs in the page (a string: tsx's keepNames would inject a helper the page lacks). `mode` is scroll or fold. */
const DRIVE = `(args) => new Promise((resolve) => {
  const box = document.querySelector('[data-testid="waterfall"]');
  const out = [];
  let last = performance.now();
  const end = last + args.ms;
  let dir = 1;
  let i = 0;
  const step = (now) => {
    out.push(now - last);
    last = now;
    if (args.mode === 'scroll') {
      box.scrollTop += 60 * dir;
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) dir = -1;
      else if (box.scrollTop <= 0) dir = 1;
    } else {
      const root = box.querySelector('[data-testid="waterfall-row"] [data-testid="fold-toggle"]');
      if (root) root.click();
    }
    i++;
    if (now < end) requestAnimationFrame(step);
    else resolve({ intervals: out, rows: box.querySelectorAll('[data-testid="waterfall-row"]').length });
  };
  requestAnimationFrame(step);
})`;

export async function benchTraceView(x: XrayProc, p: { spans: number; tokensPerSpan: number; sampleSeconds: number }) {
  const traceId = 'cccccccc'.repeat(4);
  await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, traceId, p.spans, p.tokensPerSpan, 'bench-trace-view');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const base = `http://127.0.0.1:${x.port}`;
    await page.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/trace/${traceId}`);
    await page.getByTestId('trace-summary').filter({ hasText: `${p.spans} spans` }).waitFor({ timeout: 60_000 });
    await page.getByTestId('waterfall-row').first().waitFor();
    await page.waitForTimeout(1000);
    // The machine's load during the run: on a shared box the frame rate says as much about the neighbours as about the page.
    const out: Record<string, unknown> = { spans: p.spans, tokens: p.spans * p.tokensPerSpan, loadavg_1m: round(os.loadavg()[0], 2), cpus: os.cpus().length };
    // Main-thread busy time from the DevTools protocol: what the page itself costs per frame,
    // which — unlike the frame rate — does not depend on how busy the neighbours keep the CPU.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const m = new Map(metrics.map((x) => [x.name, x.value]));
      return { task: m.get('TaskDuration') ?? 0, thread: m.get('ThreadTime') ?? 0 };
    };
    for (const mode of ['scroll', 'fold'] as const) {
      const before = await busy();
      const { intervals } = (await page.evaluate(`(${DRIVE})(${JSON.stringify({ mode, ms: p.sampleSeconds * 1000 })})`)) as { intervals: number[]; rows: number };
      const after = await busy();
      const seconds = intervals.reduce((s, v) => s + v, 0) / 1000;
      const cpuPerFrame = ((after.thread - before.thread) * 1000) / intervals.length;
      out[mode] = {
        fps: round(intervals.length / seconds, 1),
        frame_interval_p50_ms: round(percentile(intervals, 50), 1),
        frame_interval_p95_ms: round(percentile(intervals, 95), 1),
        frames: intervals.length,
        main_thread_cpu_ms_per_frame: round(cpuPerFrame, 2),
        main_thread_task_ms_per_frame: round(((after.task - before.task) * 1000) / intervals.length, 2),
        // Frames per second the page's own work would allow on an idle core (capped at the 60 Hz display).
        fps_capacity: round(Math.min(60, 1000 / Math.max(cpuPerFrame, 1e-3)), 1),
      };
    }
    return out;
  } finally {
    await browser.close();
  }
}
