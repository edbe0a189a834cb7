/**
 * 2. End-to-end latency: agent send → the token applied in a dashboard client's store (a
 * socket.io client applying deltas with the browser's own pure functions), p50/p95/p99, at
 * several token rates with 1 and with 20 clients.
 */
import { io, type Socket } from 'socket.io-client';
import { applyStreamDelta, applyStreamSnapshot, emptyStream, type StreamState } from '../lib/client/streamState';
import { mintTraceId } from '../lib/protocol/ids';
import type { ClientToServerEvents, ServerToClientEvents } from '../lib/protocol/dashboard';
import { ADMIN_TOKEN, runLoad, sleep, type XrayProc } from './procs';
import { bucketsBetween, histogramBuckets, median, percentile, round } from './stats';

const STAMP = /@(\d{13})\|/g;

function client(port: number, traceId: string, samples: number[]): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(`http://127.0.0.1:${port}/dashboard`, { transports: ['websocket'], extraHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` }, forceNew: true });
  let state: StreamState = emptyStream;
  s.on('snapshot', (snap) => {
    if (snap.kind === 'stream') state = applyStreamSnapshot(state, snap);
  });
  s.on('delta', (d) => {
    if (d.kind !== 'stream') return;
    const now = Date.now();
    state = applyStreamDelta(state, d).state;
    for (const run of d.text) for (const m of run[3].matchAll(STAMP)) samples.push(now - Number(m[1]));
  });
  return new Promise((resolve) => s.on('connect', () => s.emit('subscribe', { scope: { kind: 'trace', traceId } }, () => resolve(s))));
}

interface PhaseResult {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  samples: number;
  sent: number;
  /** The log's commit times over the phase: a tail the commits share is the store's. */
  commit_p99_ms: number;
  commits_over_100ms: number;
  /** The server's own receive → emit p99 (newest event in each delta): the part spent inside it. */
  server_p99_ms: number;
}

/** One phase: `n` clients watch a fresh trace while `rate` tokens/s are sent into it for `seconds`. */
async function phase(x: XrayProc, rate: number, n: number, p: { seconds: number; agents: number }): Promise<PhaseResult> {
  const traceId = mintTraceId();
  const samples: number[] = [];
  const clients = await Promise.all(Array.from({ length: n }, () => client(x.port, traceId, samples)));
  const before = await x.metricsText();
  const r = await runLoad({ url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: p.agents, namePrefix: `lat-${rate}-${n}`, seconds: p.seconds, rate, batch: 1, ack: false, stamp: true, traceId });
  await sleep(1000);
  for (const c of clients) c.disconnect();
  const after = await x.metricsText();
  const between = (name: string) => bucketsBetween(histogramBuckets(before, name), histogramBuckets(after, name), 99, 0.1);
  const commits = between('xray_log_commit_seconds');
  const server = between('xray_fanout_latency_seconds');
  await sleep(500);
  return { p50_ms: percentile(samples, 50), p95_ms: percentile(samples, 95), p99_ms: percentile(samples, 99), samples: samples.length, sent: r.sent, commit_p99_ms: commits.percentileBound * 1000, commits_over_100ms: commits.over, server_p99_ms: server.percentileBound * 1000 };
}

/**
 * Every rate × client count once, except the target's phase (`repeat`), run `repeat.times` times:
 * one 5 s phase is at the mercy of a burst of host steal, so its row is the median of the runs
 * (each run's p99 kept in `p99_runs_ms`).
 */
export async function benchLatency(x: XrayProc, p: { rates: number[]; clients: number[]; seconds: number; agents: number; repeat?: { rate: number; clients: number; times: number } }) {
  const out: (PhaseResult & { rate: number; clients: number; p99_runs_ms?: number[] })[] = [];
  for (const rate of p.rates) {
    for (const n of p.clients) {
      const times = p.repeat && p.repeat.rate === rate && p.repeat.clients === n ? p.repeat.times : 1;
      const runs: PhaseResult[] = [];
      for (let i = 0; i < times; i++) runs.push(await phase(x, rate, n, p));
      out.push(times === 1 ? { rate, clients: n, ...runs[0] } : { rate, clients: n, ...medianPhase(runs), p99_runs_ms: runs.map((r) => r.p99_ms) });
    }
  }
  return out.map((o) => ({ ...o, achieved_rate: round(o.sent / p.seconds, 0) }));
}

/** The median of each figure over repeated runs of one phase (each figure on its own). */
export function medianPhase(runs: readonly PhaseResult[]): PhaseResult {
  const m = (k: keyof PhaseResult) => median(runs.map((r) => r[k]));
  return { p50_ms: m('p50_ms'), p95_ms: m('p95_ms'), p99_ms: m('p99_ms'), samples: m('samples'), sent: m('sent'), commit_p99_ms: m('commit_p99_ms'), commits_over_100ms: m('commits_over_100ms'), server_p99_ms: m('server_p99_ms') };
}
