/**
 * `npm run bench` — the benchmark. Starts the real server (production build) and drives it
 * from load generators in separate processes over loopback; prints a table and writes
 * bench/results.json. `--quick` is a reduced run (< 1 min) that a test exercises so the
 * harness cannot rot. `--out FILE` writes the JSON elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchBandwidth } from './bandwidth';
import { benchBrowser } from './browser';
import { readCpuTimes, stealPercent } from './hostSteal';
import { benchIngest } from './ingest';
import { benchLiveView } from './liveView';
import { benchLatency } from './latency';
import { ROOT, startXray } from './procs';
import { benchSlowClient } from './slowClient';
import { benchSpanQueries, benchWatchLatency } from './spans';
import { benchTraceOpen } from './traceOpen';
import { benchTraceView } from './traceView';
import { benchCluster } from './cluster';
import { benchSearch } from './search';
import { benchRss, RSS_PRESETS } from './rss';
import { benchStartup } from './startup';
import { postgresBinDir } from '../server/testing/postgres';
import { formatTargetRow, targetRows } from './targets';

const quick = process.argv.includes('--quick');
const outArg = process.argv.indexOf('--out');
const outFile = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(ROOT, 'bench', 'results.json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');

const P = quick
  ? {
      ingest: { agents: 50, seconds: 2, repeats: 1, ackedRepeats: 1, batch: 50, rate: 20_000, warmUp: false },
      latency: { rates: [1000], clients: [1], seconds: 2, agents: 50 },
      bandwidth: { agents: 100, rate: 1000, seconds: 2 },
      slow: { stallSeconds: 3, rate: 1000, agents: 20, pad: 256 },
      browser: { traceSpans: 100, traceTokensPerSpan: 100 },
      liveView: { agentCounts: [300], sampleSeconds: 2, repeats: 1 },
      traceView: { spans: 200, tokensPerSpan: 10, sampleSeconds: 2 },
      traceOpen: [{ spans: 200, tokensPerSpan: 10, opens: 1, pageLoad: false }],
      rss: RSS_PRESETS.quick,
    }
  : {
      ingest: { agents: 1000, seconds: 3, repeats: 5, ackedRepeats: 5, batch: 50, rate: 0, warmUp: true },
      latency: { rates: [1000, 10_000, 0], clients: [1, 20], seconds: 5, agents: 100, repeat: { rate: 10_000, clients: 20, times: 3 } },
      bandwidth: { agents: 100, rate: 1000, seconds: 8 },
      slow: { stallSeconds: 30, rate: 1000, agents: 100, pad: 256 },
      browser: { traceSpans: 1000, traceTokensPerSpan: 100 },
      liveView: { agentCounts: [1000, 5000, 20_000], sampleSeconds: 5, repeats: 3 },
      traceView: { spans: 1000, tokensPerSpan: 100, sampleSeconds: 5 },
      traceOpen: [
        { spans: 1000, tokensPerSpan: 100, opens: 5 },
        { spans: 10_000, tokensPerSpan: 100, opens: 5 },
      ],
      rss: RSS_PRESETS.full,
    };

function ensureBuild(): void {
  if (fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) return;
  console.log('[bench] building the dashboard…');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error('build failed');
}

const want = (name: string) => !only || only.includes(name);

async function main(): Promise<void> {
  const t0 = Date.now();
  const runCpu = readCpuTimes();
  const hostSteal: Record<string, number> = {};
  ensureBuild();
  // --port=N moves the server (and the ports derived from it) off the defaults when they are taken.
  const portArg = process.argv.find((a) => a.startsWith('--port='));
  const base = portArg ? Number(portArg.slice(7)) : quick ? 3400 : 3500;
  const x = await startXray(base, base + 10);
  const results: Record<string, unknown> = {};
  /** Waits until the server has absorbed everything (committed count steady for 1 s), so sections do not bleed into each other. */
  const settle = async () => {
    let last = -1;
    for (let i = 0; i < 240; i++) {
      const now = await x.metric('xray_events_committed_total');
      if (now === last) return;
      last = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const step = async (name: string, fn: () => Promise<unknown>) => {
    if (!want(name)) return;
    await settle();
    const t = Date.now();
    const cpu = readCpuTimes();
    console.log(`[bench] ${name}…`);
    results[name] = await fn();
    const steal = stealPercent(cpu, readCpuTimes());
    if (steal !== null) hostSteal[name] = steal;
    console.log(`[bench] ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s${steal === null ? '' : ` (host steal ${steal}%)`}`);
  };
  try {
    await step('ingest', () => benchIngest(x, base + 20, P.ingest));
    const ingest = results.ingest as { tokens_per_s: { single: number } } | undefined;
    // "Highest sustainable" latency rate: 70% of the measured single-frame ingest rate.
    const latencyRates = P.latency.rates.map((r) => (r === 0 ? Math.round((ingest?.tokens_per_s.single ?? 20_000) * 0.7) : r));
    await step('latency', () => benchLatency(x, { ...P.latency, rates: latencyRates }));
    await step('bandwidth', () => benchBandwidth(x, [base + 30, base + 31], P.bandwidth));
    await step('slow_client', () => benchSlowClient(x, P.slow));
    await step('browser', () => benchBrowser(x, P.browser));
    await step('live_view', () => benchLiveView(x, P.liveView));
    // Builds a 1M-span index (minutes on 2 cores): full runs and --only=spans, never --quick.
    if (!quick) await step('spans', async () => ({ query: await benchSpanQueries(1_000_000), watch: await benchWatchLatency() }));
    await step('trace_view', () => benchTraceView(x, P.traceView));
    // Each size its own trace id (0d…, 0e…): the second open must not find the first one's cached reads.
    // `--open-sizes=1000x100,10000x100` (spans × tokens per span) picks the sizes.
    const sizes = process.argv.find((a) => a.startsWith('--open-sizes='))?.slice(13).split(',').map((x) => x.split('x').map(Number)).map(([spans, tokensPerSpan]) => ({ spans, tokensPerSpan, opens: 3 })) ?? P.traceOpen;
    await step('trace_open', async () => {
      const out = [];
      for (const [i, o] of sizes.entries()) {
        // A size that cannot open at all is a figure too (the row says so), not the end of the run.
        try {
          out.push(await benchTraceOpen(x, { ...o, traceId: `0${(13 + i).toString(16)}`.repeat(16) }));
        } catch (err) {
          out.push({ spans: o.spans, tokens: o.spans * o.tokensPerSpan, error: (err as Error).message.split('\n')[0], runs_ms: [], median_ms: null, loadavg_1m: null });
        }
      }
      return out;
    });
    // Its own server (with Next), so nothing the other sections left behind counts.
    await step('rss', () => benchRss(base + 44, base + 54, P.rss));
    // A 10M-event log (200k quick), built once and cached under the temp dir: text search over
    // it, then start-up on it to the first ack. Their own servers, on ports of their own.
    const bigLog = quick ? 200_000 : 10_000_000;
    await step('search', () => benchSearch({ events: bigLog, repeats: quick ? 3 : 9, port: base + 40, relayPort: base + 41 }));
    await step('startup', () => benchStartup({ events: bigLog, repeats: quick ? 1 : 3, port: base + 42, relayPort: base + 43 }));
    // Multi-node: SQLite vs PostgreSQL vs two nodes, and calls across nodes (needs the machine's PostgreSQL).
    if (postgresBinDir()) await step('cluster', () => benchCluster(quick));
  } catch (err) {
    console.error(`[bench] server output (tail):\n${x.output().slice(-3000)}`);
    throw err;
  } finally {
    await x.stop();
    fs.rmSync(x.dataDir, { recursive: true, force: true });
  }
  const report = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    /** % of CPU time the hypervisor gave other guests, per section and over the run (hostSteal.ts). */
    host_steal_pct: { run: stealPercent(runCpu, readCpuTimes()), ...hostSteal },
    duration_s: Math.round((Date.now() - t0) / 1000),
    results,
    /** Issue #18's table: every target with the figure measured in this run beside it. */
    targets: targetRows(results),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
  printTable(report.results as never);
  printTargets(report.targets);
  console.log(`\n[bench] ${report.mode} run on ${report.machine.cpus} cores, ${report.duration_s} s${report.host_steal_pct.run === null ? '' : `, host steal ${report.host_steal_pct.run}%`}; results in ${path.relative(process.cwd(), outFile)}`);
}

/** A percentile read from histogram buckets: the bucket's bound, or what it means when there is none. */
function bucketBound(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return 'n/a (none)';
  return Number.isFinite(ms) ? `≤ ${ms} ms` : 'past the last bucket';
}

/** The target table last, so it is what a reader sees when the run ends. */
function printTargets(rows: ReturnType<typeof targetRows>): void {
  const cells = rows.map(formatTargetRow);
  const w = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i].length)));
  console.log(`\n${'target (issue #18)'.padEnd(w[0])}  ${'measured'.padEnd(w[1])}  ${'target'.padEnd(w[2])}  met`);
  for (const c of cells) console.log(`${c[0].padEnd(w[0])}  ${c[1].padEnd(w[1])}  ${c[2].padEnd(w[2])}  ${c[3]}`);
  const met = rows.filter((r) => r.met).length;
  console.log(`${met} of ${rows.length} targets met${quick ? ' (quick run: reduced sizes, not comparable to the targets)' : ''}`);
}

function printTable(r: Record<string, any>): void {
  const rows: [string, string, string][] = [];
  const add = (metric: string, value: unknown, target = '') => rows.push([metric, String(value), target]);
  if (r.ingest) {
    const i = r.ingest;
    add(`ingest, single frames, ${i.agents} agents, offered ${i.offered} (tokens/s)`, i.tokens_per_s.single);
    add(`ingest, batched frames (tokens/s)`, i.tokens_per_s.batched, '≥ 200,000');
    add('bare ws ceiling (msgs/s)', i.bare_ws_ceiling_msgs_per_s);
    add('single-frame ingest / ceiling', i.single_vs_ceiling, '≥ 0.70');
    add('durability cost: acked / unacked (single)', i.durability_cost.single_acked_vs_unacked, '≥ 0.95');
    add('durability cost: acked / unacked (batched)', i.durability_cost.batched_acked_vs_unacked);
  }
  for (const l of r.latency ?? []) add(`e2e latency @${l.rate}/s (got ${l.achieved_rate}/s), ${l.clients} client(s): p50/p95/p99 ms`, `${l.p50_ms} / ${l.p95_ms} / ${l.p99_ms}${l.p99_runs_ms ? ` (median of p99s ${l.p99_runs_ms.join(', ')})` : ''}   (in the server p99 ${bucketBound(l.server_p99_ms)}; commits p99 ${bucketBound(l.commit_p99_ms)}, ${l.commits_over_100ms} over 100 ms)`, l.rate === 10_000 && l.clients === 20 ? 'p99 ≤ 50' : '');
  if (r.bandwidth) {
    const b = r.bandwidth;
    add('overview bytes / raw frame bytes', b.overview_vs_raw, '≤ 0.05');
    add('trace-scope bytes / raw frame bytes', b.trace_vs_raw);
    add('overview bytes / naive one-message-per-frame', b.overview_vs_naive, 'source: 90% cut');
    add('trace-scope bytes / naive', b.trace_vs_naive);
  }
  if (r.slow_client) {
    const s = r.slow_client;
    add(`slow client stalled ${s.stall_s} s: heap growth (MB)`, s.heap_growth_mb, '≤ 20');
    add('slow client: catch-up (ms)', s.catch_up_ms);
    add('slow client: tokens lost', s.tokens_lost, '0');
    add('slow client: text identical to the log', s.text_identical);
  }
  if (r.rss) {
    const m = r.rss;
    add(`server RSS, ${m.events_logged?.toLocaleString('en-US')} events logged, ${m.dashboards} dashboards, after ${m.quiet_s} s quiet (MB; peak; heap after GC)`, `${m.rss_mb}; ${m.rss_peak_mb}; ${m.heap_after_gc_mb}`, '≤ 300');
    add('  … 2 s after the live trickle (MB); heap releases by then', `${m.rss_after_load_mb}; ${m.heap_releases}`);
  }
  if (r.search) {
    const q = r.search;
    for (const x of q.queries) add(`search over ${q.events.toLocaleString('en-US')} events, ${x.kind} "${x.q.slice(0, 24)}": median (first, max) ms; traces`, `${x.medianMs} (${x.firstMs}, ${x.maxMs}); ${x.traces}`, x.q.length >= 3 ? '≤ 200' : '');
    add('  … fixture (events; built in s, or cached)', `${q.events.toLocaleString('en-US')}; ${q.fixtureCached ? 'cached' : q.fixtureBuildSeconds}`);
  }
  if (r.startup) {
    const st = r.startup;
    add(`start-up to first ack, ${st.events.toLocaleString('en-US')}-event log / empty log (ms, median)`, `${st.bigLog.medianAckMs} / ${st.emptyLog.medianAckMs}`, '≤ 2000');
    add('  … to [xray] ready (whole server), big / empty log (ms)', `${st.bigLog.medianReadyMs} / ${st.emptyLog.medianReadyMs}`);
  }
  if (r.cluster) {
    const c = r.cluster;
    add('log ingest, batches of 100 (events/s): SQLite / PostgreSQL / 2 nodes on PostgreSQL', `${c.ingest_events_per_s.sqlite_one_node} / ${c.ingest_events_per_s.postgres_one_node} / ${c.ingest_events_per_s.postgres_two_nodes}`);
    add('PostgreSQL / SQLite ingest; 2 nodes / 1 node', `${c.ratios.postgres_vs_sqlite}; ${c.ratios.two_nodes_vs_one_postgres}`);
    add('append → tail delivered, same / other node: p50 (p99) ms', `${c.append_to_tail_ms.same_node.p50} (${c.append_to_tail_ms.same_node.p99}) / ${c.append_to_tail_ms.cross_node.p50} (${c.append_to_tail_ms.cross_node.p99})`);
    add('REST call, worker on the same / other node: p50 (p99) ms', `${c.call_ms.same_node.p50} (${c.call_ms.same_node.p99}) / ${c.call_ms.cross_node.p50} (${c.call_ms.cross_node.p99})`);
  }
  if (r.browser) {
    add(`open a trace of ${r.browser.trace_open.spans} spans / ${r.browser.trace_open.tokens} tokens (ms, median)`, r.browser.trace_open.median_ms, '≤ 1000');
  }
  for (const v of r.live_view ?? []) if (v.error) add(`live view, ${v.agents} agents, grouping off: frame interval p95 ms`, v.error, `≤ ${v.target_p95_ms}`);
  else add(`live view, ${v.agents} agents (${v.streaming} streaming), grouping off: frame interval p95 ms (median of ${v.runs_p95_ms.length}; load ${v.loadavg_1m})`, `${v.frame_interval_p95_ms} (work p95 ${v.work_p95_ms})`, `≤ ${v.target_p95_ms}`);
  if (r.spans) {
    const q = r.spans.query;
    add(`span index: ${q.spans.toLocaleString()} spans built in (s)${q.build_cached ? ` (cached, built ${q.built_at.slice(0, 10)})` : ''}`, q.build_s);
    for (const x of q.queries) add(`span query over ${q.spans.toLocaleString()} spans, ${x.query}: p50/p95 ms`, `${x.p50_ms} / ${x.p95_ms}`, '< 1000');
    const w = r.spans.watch;
    add(`span watch delivery (WS frame → SSE match) @${w.offered_per_s}/s: p50/p95/p99 ms`, `${w.p50_ms} / ${w.p95_ms} / ${w.p99_ms}`);
  }
  if (r.trace_view) {
    const t = r.trace_view;
    for (const [what, m] of [['scrolling', t.scroll], ['folding the root every frame', t.fold]] as const) {
      add(`trace page, ${t.spans} spans, ${what}: fps (load ${t.loadavg_1m} on ${t.cpus} cores); frame interval p50/p95 ms`, `${m.fps}; ${m.frame_interval_p50_ms} / ${m.frame_interval_p95_ms}`, '≥ 50 fps');
      add(`  … main-thread CPU per frame (ms) → fps the page's own work allows`, `${m.main_thread_cpu_ms_per_frame} → ${m.fps_capacity}`, '≤ 20 ms → ≥ 50');
    }
  }
  for (const o of r.trace_open ?? []) {
    const target = o.spans >= 10_000 ? '≤ 1,500' : o.spans >= 1000 ? '≤ 300' : '';
    add(`open a trace of ${o.spans.toLocaleString('en-US')} spans / ${o.tokens.toLocaleString('en-US')} tokens, click in the list → interactive (ms, median of ${o.runs_ms.length}; load ${o.loadavg_1m})`, o.error ? `failed: ${o.error}` : `${o.median_ms} (${o.runs_ms.join(', ')})`, target);
    if (!o.error && o.page_load_median_ms !== null) add(`  … the same as a full page load of its URL (ms, median)`, `${o.page_load_median_ms} (${o.page_load_runs_ms.join(', ')})`);
  }
  const w = [Math.max(...rows.map((x) => x[0].length)), Math.max(...rows.map((x) => x[1].length))];
  console.log(`\n${'metric'.padEnd(w[0])}  ${'value'.padEnd(w[1])}  target`);
  for (const [m, v, t] of rows) console.log(`${m.padEnd(w[0])}  ${v.padEnd(w[1])}  ${t}`);
}

main().catch((err) => {
  console.error(`[bench] failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
