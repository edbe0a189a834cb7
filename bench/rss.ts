/**
 * Server RSS with a big log and many dashboards (issue 18: 1M events logged, 100 dashboards,
 * ≤ 300 MB). Starts its OWN server (production, with Next unless told otherwise) so the
 * figure holds nothing from other sections, then:
 *  1. logs `events` tokens through the real relay, as agents send them: batched `frames`
 *     messages from the load generator (bench/loadgen.ts), split over `traces` traces. Through
 *     the relay rather than rows written into the SQLite file beforehand, because what a live
 *     server holds after ingesting them is the figure: the writer's idempotency and lamport
 *     maps, the swarm model, the fanout window, SQLite's page cache — a log written behind the
 *     server's back and then opened would measure a freshly started process instead;
 *  2. connects `dashboards` real Socket.IO clients (TestDashboard: socket.io-client applying
 *     snapshots and deltas with the browser's own functions), all on the live overview and
 *     `traceWatchers` of them also on one of the logged traces (a snapshot of it each);
 *  3. streams a light live load (`liveRate` tokens/s) for `settleSeconds`, so the fanout is
 *     sending deltas to every dashboard while it settles;
 *  4. reads VmRSS 2 s after the trickle, and again after `quietSeconds` of quiet: the second
 *     is the figure (the server at rest, holding its log and its dashboards);
 *  5. reads VmHWM (the peak) from /proc/<pid>/status, then the heap after a forced GC
 *     (bench/gcOnSignal.mjs), while the dashboards are still connected.
 */
import fs from 'node:fs';
import { mintTraceId } from '../lib/protocol/ids';
import { scopeKey } from '../lib/protocol/dashboard';
import { TestDashboard } from '../server/testing/dashboardClient';
import { ADMIN_TOKEN, runLoad, sleep, start, startXray } from './procs';
import { round } from './stats';

export interface RssParams {
  events: number;
  traces: number;
  dashboards: number;
  traceWatchers: number;
  settleSeconds: number;
  liveRate: number;
  /** Quiet after the trickle before the figure is read (the server at rest with its dashboards). */
  quietSeconds: number;
  /** Serve no pages (`--no-next`): the figure without Next.js, for comparison. */
  noNext?: boolean;
}

/** The section's sizes, for `npm run bench` and for rss.main.ts alike (one copy, so the two cannot drift). */
export const RSS_PRESETS = {
  quick: { events: 50_000, traces: 5, dashboards: 10, traceWatchers: 2, settleSeconds: 5, liveRate: 1000, quietSeconds: 3 },
  full: { events: 1_000_000, traces: 10, dashboards: 100, traceWatchers: 5, settleSeconds: 10, liveRate: 1000, quietSeconds: 10 },
} satisfies Record<string, RssParams>;

const MB = 1024 * 1024;

/** VmRSS / VmHWM of a process, in bytes (Linux). */
export function procMemory(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * Where the RSS is, from /proc/<pid>/smaps: resident MB per mapping, grouped by what is mapped
 * (a file's name, or [heap] / [stack] / anonymous), the biggest first. Anonymous memory is V8's
 * heap, malloc (SQLite's page cache, native buffers) and thread stacks; file mappings are code
 * and any memory-mapped database pages.
 */
export function rssByMapping(pid: number, top = 8): { anon_mb: number; file_mb: number; threads: number; top: [string, number][]; anon_regions: Record<string, [number, number]> } {
  const groups = new Map<string, number>();
  /** Anonymous regions as "resident/size MB": 64 MB ones are glibc malloc arenas, V8 heap pages are 256 KB each. */
  const regions: [number, number][] = [];
  let size = 0;
  let name = '';
  let anon = 0;
  let file = 0;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1] || '[anonymous]';
      continue;
    }
    const sz = /^Size:\s+(\d+) kB/.exec(line);
    if (sz) size = Number(sz[1]) * 1024;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const bytes = Number(rss[1]) * 1024;
    groups.set(name, (groups.get(name) ?? 0) + bytes);
    if (name.startsWith('/')) file += bytes;
    else anon += bytes;
    if (name === '[anonymous]') regions.push([bytes, size]);
  }
  const threads = Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  const sorted = [...groups].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { anon_mb: round(anon / MB, 1), file_mb: round(file / MB, 1), threads, top: sorted.map(([n, b]) => [n.split('/').slice(-2).join('/'), round(b / MB, 1)]), anon_regions: bySize(regions) };
}

/** The committed count once it has stopped moving for 500 ms (held messages are still being committed before that). */
async function settledCount(read: () => Promise<number>): Promise<number> {
  for (let last = -1; ; ) {
    const now = await read();
    if (now === last) return now;
    last = now;
    await sleep(500);
  }
}

/** Anonymous regions grouped by their size: "size MB": [count, resident MB], the most resident first. */
function bySize(regions: [number, number][]): Record<string, [number, number]> {
  const g = new Map<number, [number, number]>();
  for (const [rss, size] of regions) {
    const e = g.get(size) ?? [0, 0];
    e[0]++;
    e[1] += rss;
    g.set(size, e);
  }
  return Object.fromEntries([...g].sort((a, b) => b[1][1] - a[1][1]).slice(0, 8).map(([s, [n, r]]) => [String(round(s / MB, 2)), [n, round(r / MB, 1)]]));
}

export async function benchRss(port: number, relayPort: number, p: RssParams) {
  // All dashboards come from one address with one admin token: the per-address socket cap and
  // the per-session budget are for hostile peers, not this measurement, so they are raised.
  const x = await startXray(port, relayPort, p.noNext ? ['--no-next'] : [], { env: { XRAY_SOCKETIO_PER_ADDRESS: String(p.dashboards + 10), XRAY_SESSION_RATE_LIMIT: String(Math.max(20, p.dashboards * 2)) } });
  const dashboards: TestDashboard[] = [];
  try {
    const pid = x.child.pid!;
    const idle = procMemory(pid);
    const idleMappings = rssByMapping(pid);
    const url = `ws://127.0.0.1:${relayPort}/ws`;
    const traceIds = Array.from({ length: p.traces }, () => mintTraceId());
    const t0 = Date.now();
    const perTrace = Math.ceil(p.events / p.traces);
    // Unacked frames still in flight when a generator closes its sockets are not stored (they
    // were never acknowledged), so generators run, trace after trace, until the log holds
    // `events` (each agent's connect/register events count too, a few hundred).
    for (let run = 0, committed = 0; committed < p.events; run++) {
      await runLoad({ url, agents: 20, namePrefix: `rss${run}`, seconds: 600, rate: 0, batch: 50, ack: true, stamp: false, traceId: traceIds[run % p.traces], total: Math.min(perTrace, p.events - committed) });
      committed = await settledCount(() => x.metric('xray_events_committed_total'));
    }
    const ingestS = (Date.now() - t0) / 1000;
    const committed = await x.metric('xray_events_committed_total');
    const logged = procMemory(pid);
    const loggedMappings = rssByMapping(pid);

    for (let i = 0; i < p.dashboards; i++) {
      const d = new TestDashboard(`http://127.0.0.1:${port}`, { authorization: `Bearer ${ADMIN_TOKEN}` });
      dashboards.push(d);
      await d.connected();
      await d.subscribe({ kind: 'overview' });
      if (i < p.traceWatchers) await d.subscribe({ kind: 'trace', traceId: traceIds[i % traceIds.length] });
    }
    const live = start(['bench/loadgen.ts', JSON.stringify({ url, agents: 50, namePrefix: 'rsslive', seconds: p.settleSeconds, rate: p.liveRate, batch: 1, ack: false, stamp: false, traceId: traceIds[0] })]);
    const liveDone = live.line((l) => l.startsWith('{'), (p.settleSeconds + 120) * 1000);
    await liveDone;
    await live.stop();
    await sleep(2000); // the last deltas go out
    const afterLoad = procMemory(pid);
    // The figure is the server at rest with its dashboards, not the tail of the trickle: a quiet
    // server lets V8 give back the heap the ingest grew, at V8's memory reducer's next 8 s tick
    // (server/heapRelease.ts; with XRAY_HEAP_RELEASE_MB=0 both readings are about the same).
    await sleep(p.quietSeconds * 1000);
    const connected = procMemory(pid);
    const mappings = rssByMapping(pid);
    const heap = await x.memoryAfterGc();
    const clients = await x.metric('xray_fanout_clients');
    const head = (await (await fetch(`http://127.0.0.1:${relayPort}/healthz`)).json()).head as number;
    // Every dashboard must really be watching: its overview (and trace) at the log's head.
    const deadline = Date.now() + 30_000;
    const behind = () => dashboards.filter((d, i) => d.overview.seq < head || (i < p.traceWatchers && (d.streams.get(scopeKey({ kind: 'trace', traceId: traceIds[i % traceIds.length] }))?.seq ?? -1) < head)).length;
    while (behind() > 0 && Date.now() < deadline) await sleep(100);
    return {
      events_logged: committed,
      ingest_s: round(ingestS, 1),
      dashboards: p.dashboards,
      trace_watchers: p.traceWatchers,
      clients_connected: clients,
      clients_behind_head: behind(),
      next: !p.noNext,
      rss_idle_mb: round(idle.rss / MB, 1),
      rss_logged_mb: round(logged.rss / MB, 1),
      rss_mb: round(connected.rss / MB, 1),
      /** 2 s after the live trickle, before the quiet the figure above waits for. */
      rss_after_load_mb: round(afterLoad.rss / MB, 1),
      quiet_s: p.quietSeconds,
      heap_releases: await x.metric('xray_heap_releases_total'),
      rss_peak_mb: round(connected.hwm / MB, 1),
      /** RSS right after a forced full GC (V8 gives back the pages garbage held). */
      rss_after_gc_mb: round(heap.rss / MB, 1),
      heap_after_gc_mb: round(heap.heapUsed / MB, 1),
      heap_total_mb: round(heap.heapTotal / MB, 1),
      v8_mb: Object.fromEntries(['total_heap_size', 'total_physical_size', 'malloced_memory', 'peak_malloced_memory', 'external_memory', 'number_of_native_contexts', 'number_of_detached_contexts'].map((k) => [k, k.startsWith('number') ? heap.v8[k] : round(heap.v8[k] / MB, 1)])),
      heap_spaces_mb: Object.fromEntries(Object.entries(heap.spaces).filter(([, [size]]) => size > MB).map(([name, [size, used]]) => [name, [round(size / MB, 1), round(used / MB, 1)]])),
      rss_by_mapping: mappings,
      anon_regions_idle: idleMappings.anon_regions,
      anon_regions_logged: loggedMappings.anon_regions,
      external_mb: round(heap.external / MB, 1),
      window_mb: round((await x.metric('xray_fanout_window_bytes')) / MB, 1),
      snapshot_cache_entries: await x.metric('xray_snapshot_cache_entries'),
    };
  } finally {
    for (const d of dashboards) d.close();
    await x.stop();
    fs.rmSync(x.dataDir, { recursive: true, force: true });
  }
}
