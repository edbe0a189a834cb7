/**
 * Where the time of opening a trace goes (a tool for finding what dominates, not a benchmark
 * row): the click in the traces list → interactive, as bench/traceOpen.ts times it, split into
 * the requests the page made (start / end relative to the click) and the moments the summary,
 * the first waterfall row and the selected span's text appeared; optionally a main-thread CPU
 * profile of the page during the open (`--cpu=DIR`).
 * `node --import tsx bench/profileTraceOpen.ts [--port=N] [--spans=1000] [--tokens=100] [--opens=3] [--cpu=/tmp/open]`
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Request } from '@playwright/test';
import { writeBigTrace } from '../scripts/bigTrace';
import { ADMIN_TOKEN, startXray } from './procs';
import { topSelfTime, type CpuProfile } from './profileSummary';
import { flagValue } from './cliArgs';

const port = Number(flagValue('port', '3111'));
const spans = Number(flagValue('spans', '1000'));
const tokens = Number(flagValue('tokens', '100'));
const opens = Number(flagValue('opens', '3'));
const cpuDir = flagValue('cpu', '');
/** `--trace=DIR`: a DevTools timeline trace per open, summarised as main-thread time per event kind (script, style, layout, paint…). */
const traceDir = flagValue('trace', '');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  const x = await startXray(port, port + 10);
  try {
    const traceId = 'cecececece'.repeat(4).slice(0, 32);
    const t0 = Date.now();
    await writeBigTrace(`http://127.0.0.1:${x.relayPort}`, traceId, spans, tokens, 'profile-open');
    console.log(`wrote ${spans} spans × ${tokens} tokens in ${Date.now() - t0} ms`);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const login = await context.newPage();
    const base = `http://127.0.0.1:${x.port}`;
    await login.goto(`${base}/auth/login?token=${ADMIN_TOKEN}&next=/traces`);
    await login.waitForLoadState('networkidle');
    for (let i = 0; i < opens; i++) {
      const list = await context.newPage();
      await list.goto(`${base}/traces`);
      const link = list.locator(`a[href="/trace/${traceId}"]`).first();
      await link.waitFor({ timeout: 60_000 });
      await list.waitForLoadState('networkidle');
      const events: [number, string][] = [];
      let clickAt = 0;
      const rel = () => Date.now() - clickAt;
      const short = (r: Request) => r.url().replace(base, '').slice(0, 90);
      const onReq = (r: Request) => clickAt && events.push([rel(), `→ ${r.method()} ${short(r)}`]);
      const onDone = (r: Request) => clickAt && events.push([rel(), `← ${short(r)}`]);
      list.on('request', onReq);
      list.on('requestfinished', onDone);
      const cdp = cpuDir ? await context.newCDPSession(list) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      if (traceDir) await browser.startTracing(list, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink'] });
      clickAt = Date.now();
      await link.click();
      const seen = (what: string, p: Promise<unknown>) => p.then(() => events.push([rel(), `✓ ${what}`]));
      await Promise.all([
        seen('summary', list.getByTestId('trace-summary').filter({ hasText: `${spans} spans` }).waitFor({ timeout: 120_000 })),
        seen('first row', list.getByTestId('waterfall-row').first().waitFor({ timeout: 120_000 })),
        seen('text', list.getByTestId('node-text').filter({ hasText: '[1]' }).waitFor({ timeout: 120_000 })),
      ]);
      const total = rel();
      if (traceDir) {
        const buf = await browser.stopTracing();
        fs.mkdirSync(traceDir, { recursive: true });
        fs.writeFileSync(path.join(traceDir, `open-${i}.json`), buf);
        console.log(`main thread, ms by event:\n${mainThreadSummary(JSON.parse(buf.toString()))}`);
      }
      if (cdp) {
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
        fs.mkdirSync(cpuDir, { recursive: true });
        fs.writeFileSync(path.join(cpuDir, `open-${i}.cpuprofile`), JSON.stringify(profile));
        console.log(`top self time:\n${topSelfTime(profile, 20)}`);
      }
      console.log(`open ${i}: ${total} ms`);
      for (const [t, what] of events.sort((a, b) => a[0] - b[0])) console.log(`  ${String(t).padStart(6)} ms  ${what}`);
      await list.close();
    }
    await browser.close();
  } finally {
    await x.stop();
    fs.rmSync(x.dataDir, { recursive: true, force: true });
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Top-level time on the renderer's main thread by event name (nested events not double counted: only those not inside another). */
function mainThreadSummary(trace: { traceEvents: TraceEvent[] }): string {
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return '  (no renderer main thread)';
  const on = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  const by = new Map<string, number>();
  // Direct children of RunTask (the task's own work), by name.
  let taskEnd = -1;
  let childEnd = -1;
  for (const e of on) {
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') {
      if (e.ts >= taskEnd) {
        taskEnd = e.ts + e.dur!;
        by.set('(tasks)', (by.get('(tasks)') ?? 0) + e.dur! / 1000);
      }
      continue;
    }
    if (e.ts < taskEnd && e.ts >= childEnd) {
      childEnd = e.ts + e.dur!;
      by.set(e.name, (by.get(e.name) ?? 0) + e.dur! / 1000);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `  ${v.toFixed(1).padStart(7)}  ${k}`).join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
