/**
 * Live view: the interval between animation frames the swarm page gets in Debian chromium
 * (`--disable-gpu`, software GL) with N agents in the graph, grouping off, and the view's own
 * per-frame main-thread work (window.__xrayFrameTimes). Each count is sampled `repeats` times;
 * the row is the median of the repeats' p95s.
 *
 * Agents: up to WS_STREAMING of them are connected over the relay WebSocket and stream a token
 * every two seconds each. Past that, the rest are announced once through OTLP (one span each)
 * and stay in the overview: the relay process's file-descriptor limit here is
 * 20,000, and 20,000 live sockets plus their ingest would measure the server, not the page.
 *
 * BENCH_LIVE_PROFILE=dir also records a main-thread CPU profile of the page per count
 * (`live-<n>.cpuprofile`, open in Chrome DevTools) and prints its top self-time functions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { ADMIN_TOKEN, sleep, start, type Proc, type XrayProc } from './procs';
import { percentile, round } from './stats';
import { topSelfTime, type CpuProfile } from './profileSummary';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WS_STREAMING = 5000;
const SHOW_TIMEOUT_MS = 120_000;

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

async function sample(page: Page, seconds: number) {
  const { intervals, work } = (await page.evaluate(`(${SAMPLE_FRAMES})(${seconds * 1000})`)) as { intervals: number[]; work: number[] };
  return { work_p95_ms: percentile(work, 95), interval_p50_ms: percentile(intervals, 50), interval_p95_ms: percentile(intervals, 95), frames: intervals.length };
}

/**
 * Agents that appear once and stay quiet (see the header): one OTLP span each, named by
 * `gen_ai.agent.name`, 500 spans per POST /v1/traces (one POST per agent took minutes at 15,000).
 */
async function announceAgents(relayHttp: string, prefix: string, from: number, to: number): Promise<void> {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = from; i < to; i += 500) {
    const spans = [];
    for (let k = i; k < Math.min(to, i + 500); k++) {
      spans.push({ traceId: hex(0xa11ce, 24) + hex(k, 8), spanId: hex(k + 1, 16), name: 'hello', kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n), attributes: [{ key: 'gen_ai.agent.name', value: { stringValue: `${prefix}-${k}` } }], status: { code: 1 } });
    }
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-live-view' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] };
    const r = await fetch(`${relayHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`POST /v1/traces: ${r.status} ${await r.text()}`);
  }
}

const median = (xs: number[]) => percentile(xs, 50);

export async function benchLiveView(x: XrayProc, p: { agentCounts: number[]; sampleSeconds: number; repeats: number }) {
  const profileDir = process.env.BENCH_LIVE_PROFILE;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${x.port}/auth/login?token=${ADMIN_TOKEN}&next=/`);
  await page.getByLabel('Group agents').selectOption('never'); // worst case: every agent is its own node
  const rows: Record<string, unknown>[] = [];
  const gens: Proc[] = [];
  let streaming = 0;
  let quiet = 0;
  try {
    for (const n of p.agentCounts) {
      const wantStreaming = Math.min(n, WS_STREAMING);
      if (wantStreaming > streaming) {
        // Top up: the agents already streaming keep going; these join them (a token every 2 s each).
        const add = wantStreaming - streaming;
        const gen = start(['bench/loadgen.ts', JSON.stringify({ url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: add, namePrefix: `view${n}`, seconds: 3600, rate: Math.max(1, add / 2), batch: 1, ack: false, stamp: false })]);
        await gen.line((l) => l === 'sending', 180_000);
        gens.push(gen);
        streaming = wantStreaming;
      }
      const wantQuiet = n - wantStreaming;
      if (wantQuiet > quiet) {
        await announceAgents(`http://127.0.0.1:${x.relayPort}`, 'quiet', quiet, wantQuiet);
        quiet = wantQuiet;
      }
      // Polled from here, not with waitForFunction: our CSP (rightly) forbids eval in the page.
      const summary = page.locator('.node-list summary');
      let shown = 0;
      let steadySince = Date.now();
      for (const deadline = Date.now() + SHOW_TIMEOUT_MS; Date.now() < deadline; ) {
        const now = Number(((await summary.textContent({ timeout: SHOW_TIMEOUT_MS })) ?? '0').split(' ')[0]);
        if (now !== shown) steadySince = Date.now();
        shown = now;
        // All of them, or (20,000 agents through two paths) nearly all and no more arriving for 15 s.
        if (shown >= n || (shown >= n * 0.98 && Date.now() - steadySince > 15_000)) break;
        await sleep(250);
      }
      // Where missing agents went missing: the server's model, or the page's copy of it (deltas).
      // (The model keeps at most 2,000 agents that disconnected: a wave of disconnects shrinks it, not the page.)
      const listed = (await x.api<{ agents: { connected: boolean }[] }>('/api/agents')).agents ?? [];
      const serverAgents = listed.length;
      const serverConnected = listed.filter((a) => a.connected).length;
      if (shown < n) console.log(`[bench] live view ${n}: the page shows ${shown}, the server's model holds ${serverAgents}`);
      if (shown < n * 0.98) {
        // A figure, not a crash: a page that cannot keep up with this many agents is the finding.
        rows.push({ agents: n, streaming: wantStreaming, error: `the view showed ${shown} of ${n} agents after ${SHOW_TIMEOUT_MS / 1000} s`, target_p95_ms: n >= 20_000 ? 33 : 16.7 });
        console.log(`[bench] live view: ${JSON.stringify(rows[rows.length - 1])}`);
        continue;
      }
      await sleep(2000); // let the layout settle in
      const runs = [];
      for (let i = 0; i < p.repeats; i++) {
        const cdp = profileDir && i === 0 ? await page.context().newCDPSession(page) : null;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.start');
        }
        runs.push(await sample(page, p.sampleSeconds));
        if (cdp) {
          const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
          fs.mkdirSync(profileDir!, { recursive: true });
          fs.writeFileSync(path.join(profileDir!, `live-${n}.cpuprofile`), JSON.stringify(profile));
          console.log(`[bench] live view ${n} agents, top self time:\n${topSelfTime(profile, 15)}`);
          await cdp.detach();
        }
      }
      rows.push({
        agents: n,
        shown,
        server_agents: serverAgents,
        server_connected: serverConnected,
        streaming: wantStreaming,
        frame_interval_p95_ms: round(median(runs.map((r) => r.interval_p95_ms)), 1),
        frame_interval_p50_ms: round(median(runs.map((r) => r.interval_p50_ms)), 1),
        work_p95_ms: round(median(runs.map((r) => r.work_p95_ms)), 2),
        runs_p95_ms: runs.map((r) => round(r.interval_p95_ms, 1)),
        frames: median(runs.map((r) => r.frames)),
        target_p95_ms: n >= 20_000 ? 33 : 16.7,
        loadavg_1m: round(os.loadavg()[0], 2),
      });
      console.log(`[bench] live view: ${JSON.stringify(rows[rows.length - 1])}`);
    }
  } finally {
    for (const g of gens) await g.stop();
    await browser.close();
  }
  return rows;
}
