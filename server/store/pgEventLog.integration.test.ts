/**
 * The PostgreSQL log against a real, throwaway PostgreSQL server (server/testing/postgres.ts):
 * the multi-writer guarantees a single SQLite writer never had to prove. Several PgEventLog
 * instances over one database stand for several nodes (each has its own pool).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, StampedEvent } from './eventLog';
import { eventLogContract } from '../testing/eventLogContract';
import { PgEventLog } from './pgEventLog';
import { PG_MIGRATIONS } from './pgMigrations';
import { startTestPostgres, type TestPostgres } from '../testing/postgres';

let server: TestPostgres;
const opened: PgEventLog[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const l of opened) await l.close().catch(() => undefined);
  await server?.destroy();
});

async function openLog(url: string): Promise<PgEventLog> {
  const log = await PgEventLog.open(url, { poolSize: 4 });
  opened.push(log);
  return log;
}

let n = 0;
function ev(partial: Partial<StampedEvent> = {}): StampedEvent {
  n++;
  return { id: `e${n}`, ts: 1_700_000_000_000 + n, t: null, kind: 'token', trace_id: null, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: null, data: { text: `t${n}` }, lamport: 1, ...partial } as StampedEvent;
}

describe('PgEventLog across nodes', () => {
  it('[G4] seq is global, gap-free and in commit order across concurrent writers on several nodes', async () => {
    const url = await server.createDatabase();
    const nodes = [await openLog(url), await openLog(url), await openLog(url)];
    const batches = 30;
    const appends: Promise<{ node: number; seqs: number[] }>[] = [];
    for (let b = 0; b < batches; b++) {
      const node = b % nodes.length;
      const events = Array.from({ length: 1 + (b % 7) }, () => ev({ agent: `node${node}` }));
      appends.push(nodes[node].append(events).then((r) => ({ node, seqs: r.map((x) => x.seq) })));
    }
    const done = await Promise.all(appends);
    const total = done.reduce((s, d) => s + d.seqs.length, 0);
    const all = done.flatMap((d) => d.seqs).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1)); // gap-free, no seq twice
    for (const d of done) for (let i = 1; i < d.seqs.length; i++) expect(d.seqs[i]).toBe(d.seqs[i - 1] + 1); // a batch is contiguous
    expect(await nodes[2].head()).toBe(total);
    expect((await nodes[1].read({ limit: 10_000 })).map((e) => e.seq)).toEqual(all);
  });

  it('[G3] idempotency holds across nodes: the same (scope, id) from two nodes, even at once, is stored once', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await openLog(url), await openLog(url)];
    const e = { ...ev(), id: 'same', scope: 'anon|agent:w' };
    const [ra, rb] = await Promise.all([a.append([e]), b.append([{ ...e, data: { text: 'other' } } as StampedEvent])]);
    const stored = [ra[0], rb[0]].filter((r) => !r.duplicate);
    expect(stored).toHaveLength(1);
    expect(ra[0].seq).toBe(rb[0].seq);
    expect(await b.read({})).toHaveLength(1);
    // Another scope's same id is its own event.
    expect((await b.append([{ ...e, scope: 'anon|agent:x' }]))[0]).toMatchObject({ seq: 2, duplicate: false });
  });

  it('[G4] a trace\'s lamport maximum and summary are the same seen from every node, whichever node wrote', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await openLog(url), await openLog(url)];
    const trace = 'a'.repeat(32);
    await a.append([ev({ trace_id: trace, lamport: 1, agent: 'wa' }), ev({ trace_id: trace, lamport: 2, agent: 'wa' })]);
    await b.append([ev({ trace_id: trace, lamport: 3, agent: 'wb' })]);
    expect(await a.maxLamport(trace)).toBe(3);
    expect(await b.maxLamport(trace)).toBe(3);
    const [summary] = await a.listTraces({});
    expect(summary).toMatchObject({ trace_id: trace, events: 3, first_seq: 1, last_seq: 3 });
    expect(summary.agents.sort()).toEqual(['wa', 'wb']);
    expect((await a.read({ traceId: trace })).map((e) => e.lamport)).toEqual([1, 2, 3]);
  });

  it('[M4] notifies every listener of each commit with the new head', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const heads: number[] = [];
    client.on('notification', (m) => heads.push(Number(m.payload)));
    await client.query('LISTEN xray_log');
    await log.append([ev(), ev()]);
    await log.append([ev()]);
    await expect.poll(() => heads).toEqual([2, 3]);
    await client.end();
  });

  it('[M1] creates the schema once when several nodes start at the same moment, and a restart applies nothing', async () => {
    const url = await server.createDatabase();
    const logs = await Promise.all([openLog(url), openLog(url), openLog(url)]);
    expect(logs.filter((l) => l.migration.applied.length > 0)).toHaveLength(1);
    expect((await openLog(url)).migration).toEqual({ from: PG_MIGRATIONS.length, to: PG_MIGRATIONS.length, applied: [] });
  });

  it('[L6] pg_trgm indexes the recorded text: a search of 3+ characters can be answered from the index, and still value by value', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    const trace = (c: string) => c.repeat(32);
    await log.append([
      ev({ trace_id: trace('a'), data: { text: 'alpha Needle' } }),
      ev({ trace_id: trace('b'), kind: 'span.start', span_id: '1'.repeat(16), data: { name: 'nee', attributes: { k: 'dle' } } } as never),
    ]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")).rows).toHaveLength(1);
      // A tiny table is read sequentially by choice: forbid that to see the index is usable.
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query("EXPLAIN SELECT trace_id FROM xray_events e WHERE e.trace_id IS NOT NULL AND xray_search_text(e.search) ILIKE '%needle%'")).rows.map((r) => Object.values(r)[0]).join('\n');
      expect(plan).toContain('xray_events_search');
    } finally {
      await client.end();
    }
    expect((await log.listTraces({ text: 'NEEDLE' })).map((t) => t.trace_id)).toEqual([trace('a')]);
    expect((await log.listTraces({ text: 'ee\nd' })).map((t) => t.trace_id)).toEqual([]); // never across two values
  });

  it('[G8] connections killed in the middle of transactions: those appends fail with storage_unavailable, nothing crashes, the next appends work', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const outcomes: string[] = [];
    const appends = Array.from({ length: 40 }, () =>
      log.append(Array.from({ length: 50 }, () => ev())).then(
        () => outcomes.push('ok'),
        (err: { code?: string }) => outcomes.push(err.code ?? 'uncoded'),
      ),
    );
    for (let i = 0; i < 5; i++) {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'xray' AND pid <> pg_backend_pid()");
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(appends);
    await admin.end();
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'storage_unavailable')).toEqual([]);
    expect(outcomes.filter((o) => o === 'storage_unavailable').length).toBeGreaterThan(0);
    // Whatever was acked is there, gap-free.
    const acked = outcomes.filter((o) => o === 'ok').length * 50;
    expect(await log.head()).toBe(acked);
    await log.probeWrite();
    log.health.recovered();
    expect((await log.append([ev()]))[0].seq).toBe(acked + 1);
  });

  it('[G8] PostgreSQL stopped: append and read fail with storage_unavailable (nothing acked), and the same log works again after a restart', async () => {
    const url = await server.createDatabase();
    const log = await openLog(url);
    await log.append([ev()]);
    await server.stop();
    try {
      await expect(log.append([ev()])).rejects.toMatchObject({ code: 'storage_unavailable' });
      expect(log.health.state).toBe('unavailable');
      await expect(log.head()).rejects.toMatchObject({ code: 'storage_unavailable' });
    } finally {
      await server.start();
    }
    await log.probeWrite(); // what the probe does before it marks the log healthy again
    expect((await log.append([ev()]))[0].seq).toBe(2);
    expect(await log.head()).toBe(2);
  }, 60_000);
});

/** Retention as the sweeper runs it: bounded batches until nothing older than the cutoff is left. */
async function expireBefore(log: EventLog, cutoffTs: number): Promise<void> {
  while (!(await (log as PgEventLog).expireBatch(cutoffTs, 2, Date.now())).done);
}

let currentUrl = '';
eventLogContract('postgresql (real server, one database per test)', {
  create: async () => {
    currentUrl = await server.createDatabase();
    return openLog(currentUrl);
  },
  reopen: () => openLog(currentUrl),
  expireBefore,
});
