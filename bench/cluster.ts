/**
 * The `cluster` section of `npm run bench` (also `node --import tsx bench/cluster.ts [--quick]`
 * alone, which writes bench/cluster-results.json): the log backends compared in one run on
 * this machine, on a throwaway PostgreSQL.
 * - ingest into one SQLite log, one PostgreSQL log, and two PostgreSQL writers (two "nodes",
 *   each its own pool) on the same database — store level, what the log itself costs;
 * - append → delivered by a tail, on the same node vs on the other node — what the bus adds;
 * - a REST call answered by a WebSocket worker on the same node vs on another node (two real
 *   data planes on PostgreSQL, in this process) — the cost of a call through the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StampedEvent } from '../server/store/eventLog';
import { PgEventLog } from '../server/store/pgEventLog';
import { PgLogTail } from '../server/store/pgLogTail';
import { SqliteEventLog } from '../server/store/sqliteEventLog';
import { loadConfig } from '../server/config';
import { startDataPlane } from '../server/dataPlane';
import { wireDataPlane } from '../server/xray';
import { postJson, TestAgent, tempDir } from '../server/testing/harness';
import { startTestPostgres } from '../server/testing/postgres';
import { percentile, round } from './stats';

const BATCH = 100;
let SECONDS = 5;
let LATENCY_SAMPLES = 500;

let n = 0;
const batch = (agent: string, trace: string): StampedEvent[] =>
  Array.from({ length: BATCH }, () => ({ id: `b${++n}`, ts: Date.now(), t: null, kind: 'token', trace_id: trace, span_id: null, parent_span_id: null, agent, peer: null, topic: null, data: { text: ` token ${n}` }, lamport: n, scope: `bench|${agent}` }) as StampedEvent);

/** Appends batches back to back from `writers` concurrent writers for SECONDS; events per second committed. */
async function ingest(writers: { append(e: readonly StampedEvent[]): Promise<unknown> }[]): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let events = 0;
  await Promise.all(
    writers.map(async (w, i) => {
      const trace = `${i}`.padStart(32, 'a');
      while (Date.now() < end) {
        await w.append(batch(`writer-${i}`, trace));
        events += BATCH;
      }
    }),
  );
  return events / SECONDS;
}

/** Append one event on `writer`, time until `tail` delivered it. */
async function latency(writer: PgEventLog, tail: PgLogTail): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    const [r] = await writer.append(batch('lat', 'f'.repeat(32)).slice(0, 1));
    await tail.reached(r.seq);
    samples.push(performance.now() - started);
  }
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

/** REST calls to a worker that answers at once; ms per call. */
async function callLatency(callerUrl: string, worker: TestAgent, samples: number): Promise<{ p50: number; p99: number }> {
  const answer = (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { type: string; correlation_id: string };
    if (m.type === 'inbound_call') worker.send({ type: 'call_response', correlation_id: m.correlation_id, payload: 'ok' });
  };
  worker.ws.on('message', answer);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const r = await postJson(`${callerUrl}/v1/call`, { to: 'bench-worker', method: 'ping', payload: String(i) });
    if (r.status !== 200) throw new Error(`call failed: ${JSON.stringify(r.body)}`);
    times.push(performance.now() - started);
  }
  worker.ws.off('message', answer);
  return { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2) };
}

async function calls(url: string, samples: number) {
  const base = { ...loadConfig({ NODE_ENV: 'test' }), relayPort: 0, databaseUrl: url, leaseTtlMs: 10_000, tailPollMs: 1000 };
  const a = await startDataPlane({ ...base, nodeId: 'bench-a', dataDir: tempDir('xray-bench-a-') });
  const b = await startDataPlane({ ...base, nodeId: 'bench-b', dataDir: tempDir('xray-bench-b-') });
  // As the process does: the commit pipeline (topic delivery, cross-node call routing) over each node's tail.
  wireDataPlane(a);
  wireDataPlane(b);
  try {
    const worker = await TestAgent.connect(`ws://127.0.0.1:${a.relayPort}/ws`, 'bench-worker');
    const same = await callLatency(`http://127.0.0.1:${a.relayPort}`, worker, samples);
    const cross = await callLatency(`http://127.0.0.1:${b.relayPort}`, worker, samples);
    await worker.close();
    return { same_node: same, cross_node: cross, cross_vs_same_p50: round(cross.p50 / same.p50, 2) };
  } finally {
    await a.close();
    await b.close();
  }
}

export async function benchCluster(quick: boolean) {
  SECONDS = quick ? 2 : 5;
  LATENCY_SAMPLES = quick ? 50 : 500;
  const sqlite = SqliteEventLog.open(tempDir('xray-bench-'));
  const sqliteRate = await ingest([sqlite]);
  await sqlite.close();

  const pg = await startTestPostgres();
  try {
    const url1 = await pg.createDatabase('bench_one');
    const one = await PgEventLog.open(url1);
    const pgRate = await ingest([one]);
    await one.close();

    const url2 = await pg.createDatabase('bench_two');
    const [a, b] = [await PgEventLog.open(url2), await PgEventLog.open(url2)];
    const twoRate = await ingest([a, b]);
    // Listen-only tails (a 60 s poll): what the bus costs is the NOTIFY round trip and one read.
    const tailA = new PgLogTail(a, url2, { from: await a.head(), pollMs: 60_000 });
    const tailB = new PgLogTail(b, url2, { from: await b.head(), pollMs: 60_000 });
    await tailA.start();
    await tailB.start();
    const sameNode = await latency(a, tailA);
    const crossNode = await latency(a, tailB);
    await tailA.close();
    await tailB.close();
    await a.close();
    await b.close();
    const call_ms = await calls(await pg.createDatabase('bench_calls'), quick ? 30 : 300);

    return {
      batch: BATCH,
      ingest_events_per_s: { sqlite_one_node: round(sqliteRate, 0), postgres_one_node: round(pgRate, 0), postgres_two_nodes: round(twoRate, 0) },
      ratios: { postgres_vs_sqlite: round(pgRate / sqliteRate, 3), two_nodes_vs_one_postgres: round(twoRate / pgRate, 3) },
      append_to_tail_ms: { same_node: sameNode, cross_node: crossNode },
      call_ms,
    };
  } finally {
    await pg.destroy();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const results = { at: new Date().toISOString(), quick, ...(await benchCluster(quick)) };
  console.log(JSON.stringify(results, null, 2));
  if (!quick) fs.writeFileSync(path.join(import.meta.dirname, 'cluster-results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
