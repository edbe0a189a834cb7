/**
 * Profiles the trace page while it scrolls or folds (a tool for finding what dominates, not a
 * benchmark row): main-thread time split into script / style / layout from the DevTools
 * Performance domain, and the functions with the most self time from a CPU profile.
 * `node --import tsx bench/profileTraceView.ts [--port=N] [--spans=1000] [--tokens=100] [--mode=fold|scroll]`
 */
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, startXray } from './procs';
import { flagValue } from './cliArgs';

const port = Number(flagValue('port', '3111'));
const spans = Number(flagValue('spans', '1000'));
const tokens = Number(flagValue('tokens', '100'));
const modes = flagValue('mode', 'fold,scroll').split(',');

const DRIVE = `(args) => new Promise((resolve) => {
  const box = document.querySelector('[data-testid="waterfall"]');
  let n = 0; const end = performance.now() + args.ms; let dir = 1;
  const step = (now) => {
    n++;
    if (args.mode === 'scroll') {
      box.scrollTop += 60 * dir;
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) dir = -1; else if (box.scrollTop <= 0) dir = 1;
    } else box.querySelector('[data-testid="waterfall-row"] [data-testid="fold-toggle"]')?.click();
    if (now < end) requestAnimationFrame(step); else resolve(n);
  };
  requestAnimationFrame(step);
})`;

async function main() {
  const x = await startXray(port, port + 10);
  try {
    const traceId = 'cdcdcdcd'.repeat(4);
    await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, traceId, spans, tokens, 'profile');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${x.port}/auth/login?token=${ADMIN_TOKEN}&next=/trace/${traceId}`);
    await page.getByTestId('waterfall-row').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.enable');
    const metrics = async () => new Map(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
    if (modes.includes('open')) {
      // Where the time of opening goes: navigation, each request, and when the text showed.
      for (let i = 0; i < 3; i++) {
        const tab = await page.context().newPage();
        const t0 = Date.now();
        await tab.goto(`http://127.0.0.1:${x.port}/trace/${traceId}`);
        await tab.getByTestId('node-text').filter({ hasText: '[1]' }).waitFor({ timeout: 120_000 });
        const took = Date.now() - t0;
        const timing = await tab.evaluate(`(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const res = performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseEnd), r.transferSize]);
          return { nav: { responseEnd: Math.round(nav.responseEnd), domInteractive: Math.round(nav.domInteractive), domContentLoaded: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd) }, res, now: Math.round(performance.now()) };
        })()`);
        console.log(`open ${i}: ${took} ms`, JSON.stringify(timing));
        await tab.close();
      }
    }
    for (const mode of modes.filter((m) => m !== 'open')) {
      const a = await metrics();
      await cdp.send('Profiler.start');
      const frames = (await page.evaluate(`(${DRIVE})(${JSON.stringify({ mode, ms: 3000 })})`)) as number;
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]; samples: number[]; timeDeltas: number[] } };
      const b = await metrics();
      const per = (k: string) => (((b.get(k) ?? 0) - (a.get(k) ?? 0)) * 1000) / frames;
      console.log(`\n== ${mode}: ${frames} frames; per frame ms: task ${per('TaskDuration').toFixed(2)} script ${per('ScriptDuration').toFixed(2)} style ${per('RecalcStyleDuration').toFixed(2)} layout ${per('LayoutDuration').toFixed(2)} layouts ${(((b.get('LayoutCount') ?? 0) - (a.get('LayoutCount') ?? 0)) / frames).toFixed(2)} recalcs ${(((b.get('RecalcStyleCount') ?? 0) - (a.get('RecalcStyleCount') ?? 0)) / frames).toFixed(2)}`);
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, i) => {
        const n = byId.get(id)!;
        const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      for (const [k, v] of [...self].sort((p, q) => q[1] - p[1]).slice(0, 15)) console.log(`${(v / frames).toFixed(3)} ms/frame  ${k}`);
      fs.writeFileSync(`/tmp/tvprof/${mode}.cpuprofile`, JSON.stringify(profile));
    }
    await browser.close();
  } finally {
    await x.stop();
    fs.rmSync(x.dataDir, { recursive: true, force: true });
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
