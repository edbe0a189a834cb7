/**
 * `node --import tsx bench/cluster.ts [--quick]` — the log backends compared in one run on this
 * machine: ingest into one SQLite log, one PostgreSQL log, and two PostgreSQL writers (two
 * "nodes", each its own pool) on the same database; and end-to-end latency from an append to
 * the moment a tail delivers it — on the same node vs on the other node. Store level (no
 * relay, no sockets): what the log itself costs and what the bus adds. Writes
 * bench/cluster-results.json and prints a table with the ratios.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StampedEvent } from '../server/store/eventLog';
import { PgEventLog } from '../server/store/pgEventLog';
import { PgLogTail } from '../server/store/pgLogTail';
import { SqliteEventLog } from '../server/store/sqliteEventLog';
import { tempDir } from '../server/testing/harness';
import { startTestPostgres } from '../server/testing/postgres';
import { percentile, round } from './stats';

const quick = process.argv.includes('--quick');
const BATCH = 100;
const SECONDS = quick ? 2 : 5;
const LATENCY_SAMPLES = quick ? 100 : 500;

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

async function main(): Promise<void> {
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

    const results = {
      at: new Date().toISOString(),
      quick,
      batch: BATCH,
      ingest_events_per_s: { sqlite_one_node: round(sqliteRate, 0), postgres_one_node: round(pgRate, 0), postgres_two_nodes: round(twoRate, 0) },
      ratios: { postgres_vs_sqlite: round(pgRate / sqliteRate, 3), two_nodes_vs_one_postgres: round(twoRate / pgRate, 3) },
      append_to_tail_ms: { same_node: sameNode, cross_node: crossNode },
    };
    console.table(results.ingest_events_per_s);
    console.table({ same_node: sameNode, cross_node: crossNode });
    console.log(JSON.stringify(results.ratios));
    if (!quick) fs.writeFileSync(path.join(import.meta.dirname, 'cluster-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await pg.destroy();
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
