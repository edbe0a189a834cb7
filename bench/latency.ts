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
import { bucketsBetween, percentile, round } from './stats';

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

export async function benchLatency(x: XrayProc, p: { rates: number[]; clients: number[]; seconds: number; agents: number }) {
  const out: { rate: number; clients: number; p50_ms: number; p95_ms: number; p99_ms: number; samples: number; sent: number; commit_p99_ms: number; commits_over_100ms: number; server_p99_ms: number }[] = [];
  for (const rate of p.rates) {
    for (const n of p.clients) {
      const traceId = mintTraceId();
      const samples: number[] = [];
      const clients = await Promise.all(Array.from({ length: n }, () => client(x.port, traceId, samples)));
      // The log's commit times over the same phase: a tail that the commits share is the store's.
      const commitsBefore = await x.histogram('xray_log_commit_seconds');
      // And the server's own receive → emit latency (of the newest event in each delta): the
      // part of the end-to-end figure spent inside the server.
      const serverBefore = await x.histogram('xray_fanout_latency_seconds');
      const r = await runLoad({ url: `ws://127.0.0.1:${x.relayPort}/ws`, agents: p.agents, namePrefix: `lat-${rate}-${n}`, seconds: p.seconds, rate, batch: 1, ack: false, stamp: true, traceId });
      await sleep(1000);
      for (const c of clients) c.disconnect();
      const commits = bucketsBetween(commitsBefore, await x.histogram('xray_log_commit_seconds'), 99, 0.1);
      const server = bucketsBetween(serverBefore, await x.histogram('xray_fanout_latency_seconds'), 99, 0.1);
      out.push({ rate, clients: n, p50_ms: percentile(samples, 50), p95_ms: percentile(samples, 95), p99_ms: percentile(samples, 99), samples: samples.length, sent: r.sent, commit_p99_ms: commits.percentileBound * 1000, commits_over_100ms: commits.over, server_p99_ms: server.percentileBound * 1000 });
      await sleep(500);
    }
  }
  return out.map((o) => ({ ...o, achieved_rate: round(o.sent / p.seconds, 0) }));
}
