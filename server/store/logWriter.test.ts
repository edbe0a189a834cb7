import { describe, expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import { ev } from '../testing/eventLogContract';
import { slowEventLog } from '../testing/slowEventLog';
import { LogWriter } from './logWriter';
import { MemoryEventLog } from './memoryEventLog';
import { SqliteEventLog } from './sqliteEventLog';

const TRACE = 'c'.repeat(32);
const fresh = ({ lamport: _l, ...e }: ReturnType<typeof ev>) => e;

describe('LogWriter', () => {
  it('[G1] resolves only after commit, and listeners see committed events in seq order', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const seen: XrayEvent[] = [];
    writer.onCommit((events) => seen.push(...events));
    const p = writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))]);
    expect(writer.head()).toBe(0); // nothing durable yet: the commit is batched
    expect(await writer.log.head()).toBe(0);
    const r = await p;
    expect(r.map((x) => x.seq)).toEqual([1, 2]);
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
    await writer.close();
  });

  it('[G3] duplicates are per sender scope: another sender\'s id is stored, never answered as a duplicate; listeners never see the scope', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const seen: XrayEvent[] = [];
    writer.onCommit((events) => seen.push(...events));
    const a = { ...fresh(ev({ kind: 'token', agent: 'alice' })), id: 'same', scope: 'anon|agent:alice' };
    const b = { ...fresh(ev({ kind: 'token', agent: 'bob' })), id: 'same', scope: 'anon|agent:bob' };
    expect(await writer.submit([a])).toEqual([{ id: 'same', seq: 1, duplicate: false }]);
    expect(await writer.submit([b])).toEqual([{ id: 'same', seq: 2, duplicate: false }]);
    expect(await writer.submit([b])).toEqual([{ id: 'same', seq: 2, duplicate: true }]); // bob's own retry
    expect(seen.map((e) => [e.seq, e.agent])).toEqual([[1, 'alice'], [2, 'bob']]);
    expect(seen.every((e) => !('scope' in e))).toBe(true);
    await writer.close();
  });

  it('[G2] enqueue answers at commit through its callback; one that throws does not stop the commit answering the others', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const answers: string[] = [];
      writer.enqueue([fresh(ev({ kind: 'token' }))], () => {
        answers.push('first');
        throw new Error('a broken socket');
      });
      writer.enqueue([fresh(ev({ kind: 'token' }))], (err, results) => answers.push(err ? err.code : `seq ${results![0].seq}`));
      expect(answers).toEqual([]); // nothing is answered before the commit
      await writer.flush();
      expect(answers).toEqual(['first', 'seq 2']);
      expect(writer.head()).toBe(2);
      expect(errors).toHaveLength(1);
      // A duplicate of a committed id is answered at the next commit, with the original's seq.
      const dup: string[] = [];
      const [stored] = await writer.log.read({ after: 0, limit: 1 });
      writer.enqueue([{ ...fresh(ev({ kind: 'token' })), id: stored.id }], (_err, results) => dup.push(`${results![0].seq} ${results![0].duplicate}`));
      await writer.flush();
      expect(dup).toEqual(['1 true']);
    } finally {
      console.error = original;
      await writer.close();
    }
  });

  it('[G3] answers duplicates from the log, across commits and within one, storing once; listeners never see them', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const seen: number[] = [];
    writer.onCommit((events) => seen.push(...events.map((e) => e.seq)));
    const a = fresh(ev({ kind: 'token' }));
    await writer.submit([a]);
    expect((await writer.submit([a]))[0]).toEqual({ id: a.id, seq: 1, duplicate: true });
    await writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))]);
    // A retry queued in the same commit as another copy of itself: the first is stored, the second answered with its seq.
    const b = fresh(ev({ kind: 'token' }));
    const [first, again] = await Promise.all([writer.submit([b, a]), writer.submit([b])]);
    expect(first).toEqual([{ id: b.id, seq: 4, duplicate: false }, { id: a.id, seq: 1, duplicate: true }]);
    expect(again).toEqual([{ id: b.id, seq: 4, duplicate: true }]);
    expect(await writer.log.read({})).toHaveLength(4);
    expect(writer.stats.duplicates).toBe(3);
    expect(seen).toEqual([1, 2, 3, 4]);
    await writer.close();
  });

  it('stamps lamport per trace, taking the max with an incoming clock', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    const e1 = fresh(ev({ kind: 'token', trace_id: TRACE }));
    const e2 = { ...fresh(ev({ kind: 'token', trace_id: TRACE })), lamport: 10 };
    const e3 = fresh(ev({ kind: 'token', trace_id: TRACE }));
    const other = fresh(ev({ kind: 'token' }));
    await writer.submit([e1, e2, e3, other]);
    expect((await writer.log.read({})).map((e) => e.lamport)).toEqual([1, 11, 12, 0]);
    await writer.close();
  });

  it('[G4] a trace\'s clock never goes back when its clock is dropped from memory in the middle of a commit', async () => {
    // A window of 4 clocks: two generations of 2. Stamping U2 below turns the young generation
    // over and drops T1's clock while the same commit still has T1's event to stamp.
    const writer = await LogWriter.open(SqliteEventLog.inMemory(), { clockWindow: 4 });
    const [t1, t2, u1, u2] = ['1', '2', '3', '4'].map((c) => c.repeat(32));
    const on = (trace_id: string) => fresh(ev({ kind: 'token', trace_id }));
    await writer.submit([on(t1), on(t1), on(t1), on(t1), on(t1)]);
    await writer.submit([on(t2)]);
    await writer.submit([on(u1)]);
    await writer.submit([on(u2), on(t1)]);
    const t1Clocks = (await writer.log.read({ traceId: t1 })).map((e) => e.lamport);
    expect(t1Clocks).toEqual([1, 2, 3, 4, 5, 6]);
    await writer.close();
  });

  it('rejects every event of a failed batch and stores none of it', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = await LogWriter.open(log);
    const bad = { ...fresh(ev({ kind: 'token' })), id: null as unknown as string }; // NOT NULL violation
    await expect(writer.submit([fresh(ev({ kind: 'token' })), bad])).rejects.toMatchObject({ code: 'storage_failed' });
    expect(await log.head()).toBe(0);
    expect((await writer.submit([fresh(ev({ kind: 'token' }))]))[0].seq).toBe(1);
    await writer.close();
  });

  it('refuses work after close', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    await writer.close();
    await expect(writer.submit([fresh(ev({ kind: 'token' }))])).rejects.toMatchObject({ code: 'shutting_down' });
  });
});

describe('LogWriter backpressure', () => {
  it('reports overload above the high-water mark and calls drain listeners after the commit', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory(), { highWater: 3 });
    let drains = 0;
    writer.onDrain(() => drains++);
    const p = writer.submit([1, 2, 3].map(() => fresh(ev({ kind: 'token' }))));
    expect(writer.backlog).toBe(3);
    expect(writer.overloaded).toBe(true);
    await p;
    expect(writer.backlog).toBe(0);
    expect(writer.overloaded).toBe(false);
    expect(drains).toBe(1);
    await writer.close();
  });

  it('[G8] a failed commit of an overloaded queue still calls the drain listeners, so paused sockets are released (and their messages refused)', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = await LogWriter.open(log, { highWater: 3 });
    let drains = 0;
    writer.onDrain(() => drains++);
    const bad = { ...fresh(ev({ kind: 'token' })), id: null as unknown as string }; // NOT NULL violation: the commit fails
    const p = writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' })), bad]);
    expect(writer.overloaded).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'storage_failed' });
    expect(writer.overloaded).toBe(false);
    expect(drains).toBe(1);
    await writer.close();
  });

  it('[G8] an empty submit and a refusal are answered at once, and a refusal callback that throws is reported, not thrown', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory());
    expect(await writer.submit([])).toEqual([]);
    await writer.close();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect(() =>
        writer.enqueue([fresh(ev({ kind: 'token' }))], () => {
          throw new Error('a broken socket');
        }),
      ).not.toThrow();
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });
});

describe('LogWriter bounded commits [G6]', () => {
  it('[G6] commits a large submit in bounded transactions, yielding between them, and resolves after the last', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory(), { maxBatch: 100 });
    const commits: number[] = [];
    writer.onCommit((events) => commits.push(events.length));
    const big = Array.from({ length: 1000 }, () => fresh(ev({ kind: 'token' })));
    let resolved = false;
    const p = writer.submit(big).then((r) => ((resolved = true), r));
    // The event loop gets turns while the submit commits: a timer fires before it resolves.
    await new Promise((r) => setTimeout(r, 0));
    expect(resolved).toBe(false);
    const r = await p;
    expect(commits.every((n) => n <= 100)).toBe(true);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(r.map((x) => x.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    await writer.close();
  });

  it('[G6] a small submit is not held behind every part of a large one', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory(), { maxBatch: 100 });
    const big = writer.submit(Array.from({ length: 1000 }, () => fresh(ev({ kind: 'token' }))));
    let bigDone = false;
    void big.then(() => (bigDone = true));
    const small = await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(bigDone).toBe(false);
    expect(small[0].seq).toBeLessThan(1000);
    await big;
    await writer.close();
  });

  it('[G6] a large export\'s commits are sized by what its events cost, not by a count, while an agent\'s tokens arrive meanwhile', async () => {
    // The failure this guards: a commit sized by count (1,000 before any measurement, never
    // under 100) held the loop for 100 × the cost of one fat span. The per-kind estimates
    // themselves are unit-tested in kindCostModel.test.ts.
    const inner = new MemoryEventLog();
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const log = Object.create(inner) as MemoryEventLog;
    log.append = (events) => {
      for (const e of events) spin(e.kind === 'span.start' ? 0.3 : 0.002);
      return inner.append(events);
    };
    const writer = await LogWriter.open(log, { commitBudgetMs: 10 });
    const spansPerCommit: number[] = [];
    writer.onCommit((c) => spansPerCommit.push(c.filter((e) => e.kind === 'span.start').length));
    // As the OTLP route submits an export (a part at a time), while an agent's acked tokens
    // arrive on their own clock and commit with its parts.
    const tokens = setInterval(() => void writer.submit([fresh(ev({ kind: 'token' }))]), 1);
    await writer.submitInParts(Array.from({ length: 600 }, () => fresh(ev({ kind: 'span.start', trace_id: TRACE }))), 100);
    clearInterval(tokens);
    await writer.flush();
    expect(spansPerCommit.reduce((a, b) => a + b, 0)).toBe(600);
    // 10 ms at ≥ 0.3 ms a span: ~33 a commit (the first measurement can be ~10% low).
    expect(Math.max(...spansPerCommit)).toBeLessThanOrEqual(40);
    await writer.close();
  });

  it('[G6] keeps lamport in seq order per trace when parts interleave', async () => {
    const writer = await LogWriter.open(SqliteEventLog.inMemory(), { maxBatch: 100 });
    const a = writer.submit(Array.from({ length: 300 }, () => fresh(ev({ kind: 'token', trace_id: TRACE }))));
    const b = writer.submit(Array.from({ length: 5 }, () => fresh(ev({ kind: 'token', trace_id: TRACE }))));
    await Promise.all([a, b]);
    const lamports = (await writer.log.read({ traceId: TRACE, limit: 1000 })).map((e) => e.lamport);
    expect(lamports).toEqual([...lamports].sort((x, y) => x - y));
    await writer.close();
  });

  it('[G6] a failed part says exactly how much of the submit was committed, and a retry stores only the rest', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = await LogWriter.open(log, { maxBatch: 100 });
    const events = Array.from({ length: 300 }, () => fresh(ev({ kind: 'token' })));
    const broken = events.map((e, i) => (i === 250 ? { ...e, agent: null as unknown as string } : e)); // NOT NULL violation in a later part
    let committed = 0;
    writer.onCommit((c) => (committed += c.length));
    const err = await writer.submit(broken).catch((e) => e);
    expect(committed).toBeGreaterThan(0); // parts before the broken one are durable
    expect(committed).toBeLessThanOrEqual(250);
    expect(err).toMatchObject({ code: 'storage_failed', details: { committed } });
    expect(err.details.committed_ids).toEqual(events.slice(0, committed).map((e) => e.id));
    expect(await log.head()).toBe(committed);
    const before = committed;
    const retry = await writer.submit(events);
    expect(retry.filter((r) => r.duplicate).length).toBe(before);
    expect(await log.head()).toBe(300);
    await writer.close();
  });
});

describe('LogWriter.submitInParts [G6]', () => {
  it('[G6] never queues more than one part, and a failure counts what the whole batch committed', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = await LogWriter.open(log, { highWater: 150 });
    let overloaded = false;
    writer.onCommit(() => (overloaded ||= writer.overloaded));
    const events = Array.from({ length: 1000 }, () => fresh(ev({ kind: 'token' })));
    const p = writer.submitInParts(events, 100);
    expect(writer.backlog).toBeLessThanOrEqual(100);
    expect((await p).length).toBe(1000);
    expect(overloaded).toBe(false);
    const more = Array.from({ length: 500 }, () => fresh(ev({ kind: 'token' })));
    const broken = more.map((e, i) => (i === 350 ? { ...e, agent: null as unknown as string } : e));
    let committed = 0;
    writer.onCommit((c) => (committed += c.length));
    const err = await writer.submitInParts(broken, 100).catch((e) => e);
    expect(err).toMatchObject({ code: 'storage_failed', details: { committed } });
    expect(committed).toBeGreaterThanOrEqual(300); // the parts before the broken one, at least
    expect(committed).toBeLessThanOrEqual(350);
    expect(await log.head()).toBe(1000 + committed);
    await writer.close();
  });
});

describe('LogWriter over an asynchronous log', () => {
  it('[L1] one append per transaction, never two at once: submits arriving while a commit is out keep their arrival order', async () => {
    const { log, calls } = slowEventLog(new MemoryEventLog());
    const writer = await LogWriter.open(log);
    const seen: number[] = [];
    writer.onCommit((events) => seen.push(...events.map((e) => e.seq)));
    const first = writer.submit(Array.from({ length: 10 }, () => fresh(ev({ kind: 'token' }))));
    await new Promise((r) => setImmediate(r)); // the first commit is now out
    const later = Array.from({ length: 5 }, (_, i) => writer.submit([fresh(ev({ kind: 'token', data: { text: `later ${i}` } }))]));
    const results = await Promise.all([first, ...later]);
    expect(results.flat().map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect((await log.read({ after: 10 })).map((e) => (e.data as { text: string }).text)).toEqual([0, 1, 2, 3, 4].map((i) => `later ${i}`));
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(calls.maxInFlight).toBe(1);
    expect(calls.append).toBe(2); // the five that waited went together
    await writer.close();
  });

  it('[V1] times each commit\'s store part, failed ones included: a slow store shows in xray_log_commit_seconds', async () => {
    const { log } = slowEventLog(SqliteEventLog.inMemory(), 30);
    const writer = await LogWriter.open(log);
    await writer.submit([fresh(ev({ kind: 'token' }))]);
    const bad = { ...fresh(ev({ kind: 'token' })), id: null as unknown as string }; // NOT NULL violation: the transaction fails
    await expect(writer.submit([bad])).rejects.toMatchObject({ code: 'storage_failed' });
    expect(writer.commitTime.count).toBe(2);
    // Both waited ≥ 30 ms on the store: nothing in the buckets up to 25 ms.
    expect(writer.commitTime.counts.slice(0, writer.commitTime.buckets.indexOf(25) + 1).every((n) => n === 0)).toBe(true);
    await writer.close();
  });

  it('[G2] resumes a trace\'s lamport clock from the log after a restart, awaiting it once per trace and batch, in seq order', async () => {
    const inner = new MemoryEventLog();
    await inner.append([{ ...ev({ kind: 'token', trace_id: TRACE }, 7) }]);
    const { log, calls } = slowEventLog(inner);
    const writer = await LogWriter.open(log, { maxBatch: 100 });
    const events = Array.from({ length: 250 }, () => fresh(ev({ kind: 'token', trace_id: TRACE })));
    const other = writer.submit([fresh(ev({ kind: 'token', trace_id: 'd'.repeat(32) }))]);
    await Promise.all([writer.submit(events), other]);
    const lamports = (await inner.read({ traceId: TRACE, limit: 1000 })).map((e) => e.lamport);
    expect(lamports).toEqual(Array.from({ length: 251 }, (_, i) => i + 7));
    expect(calls.maxLamport).toBe(2); // TRACE and the other trace, once each: then the writer's own clock
    expect(writer.head()).toBe(252);
    await writer.close();
  });

  it('the writer\'s head is where the commit listeners stand: moved before they run, never ahead of them', async () => {
    const inner = new MemoryEventLog();
    const { log } = slowEventLog(inner);
    await log.append([ev({ kind: 'token' })]);
    const writer = await LogWriter.open(log);
    expect(writer.head()).toBe(1);
    const heads: number[] = [];
    writer.onCommit((events) => heads.push(writer.head() - events[events.length - 1].seq));
    const p = writer.submit([fresh(ev({ kind: 'token' }))]);
    await new Promise((r) => setImmediate(r));
    // The log holds the event already, its listeners have not run: the writer's head waits for them.
    expect(writer.head()).toBe(1);
    expect(await inner.head()).toBe(2);
    expect(writer.head()).toBe(1);
    await p;
    expect(heads).toEqual([0]);
    expect(writer.head()).toBe(2);
    await writer.close();
  });

  it('close waits for the commit in flight and everything queued, then closes the log', async () => {
    const inner = new MemoryEventLog();
    const { log } = slowEventLog(inner);
    const writer = await LogWriter.open(log);
    const acks = Array.from({ length: 3 }, () => writer.submit([fresh(ev({ kind: 'token' }))]));
    await new Promise((r) => setImmediate(r));
    const more = writer.submit([fresh(ev({ kind: 'token' }))]);
    await writer.close();
    expect((await Promise.all([...acks, more])).flat().map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    await expect(inner.head()).rejects.toThrow(/closed/);
  });
});
