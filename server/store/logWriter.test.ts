import { describe, expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import { ev } from '../testing/eventLogContract';
import { LogWriter } from './logWriter';
import { SqliteEventLog } from './sqliteEventLog';

const TRACE = 'c'.repeat(32);
const fresh = ({ lamport: _l, ...e }: ReturnType<typeof ev>) => e;

describe('LogWriter', () => {
  it('resolves only after commit, and listeners see committed events in seq order', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory());
    const seen: XrayEvent[] = [];
    writer.onCommit((events) => seen.push(...events));
    const p = writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))]);
    expect(writer.log.head()).toBe(0); // nothing durable yet: the commit is batched
    const r = await p;
    expect(r.map((x) => x.seq)).toEqual([1, 2]);
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
    writer.close();
  });

  it('[G3] the dedup window is per sender scope: another sender\'s id is stored, never answered as a duplicate; listeners never see the scope', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory());
    const seen: XrayEvent[] = [];
    writer.onCommit((events) => seen.push(...events));
    const a = { ...fresh(ev({ kind: 'token', agent: 'alice' })), id: 'same', scope: 'anon|agent:alice' };
    const b = { ...fresh(ev({ kind: 'token', agent: 'bob' })), id: 'same', scope: 'anon|agent:bob' };
    expect(await writer.submit([a])).toEqual([{ id: 'same', seq: 1, duplicate: false }]);
    expect(await writer.submit([b])).toEqual([{ id: 'same', seq: 2, duplicate: false }]);
    expect(await writer.submit([b])).toEqual([{ id: 'same', seq: 2, duplicate: true }]); // bob's own retry
    expect(seen.map((e) => [e.seq, e.agent])).toEqual([[1, 'alice'], [2, 'bob']]);
    expect(seen.every((e) => !('scope' in e))).toBe(true);
    writer.close();
  });

  it('answers duplicates from the window and from the log, storing once', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory(), { dedupWindow: 2 });
    const a = fresh(ev({ kind: 'token' }));
    await writer.submit([a]);
    expect((await writer.submit([a]))[0]).toEqual({ id: a.id, seq: 1, duplicate: true });
    // Push `a` out of the window: the log's unique index still catches it.
    await writer.submit([fresh(ev({ kind: 'token' })), fresh(ev({ kind: 'token' }))]);
    expect((await writer.submit([a]))[0]).toEqual({ id: a.id, seq: 1, duplicate: true });
    expect(writer.log.read({}).length).toBe(3);
    expect(writer.stats.duplicates).toBe(2);
    writer.close();
  });

  it('stamps lamport per trace, taking the max with an incoming clock', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory());
    const e1 = fresh(ev({ kind: 'token', trace_id: TRACE }));
    const e2 = { ...fresh(ev({ kind: 'token', trace_id: TRACE })), lamport: 10 };
    const e3 = fresh(ev({ kind: 'token', trace_id: TRACE }));
    const other = fresh(ev({ kind: 'token' }));
    await writer.submit([e1, e2, e3, other]);
    expect(writer.log.read({}).map((e) => e.lamport)).toEqual([1, 11, 12, 0]);
    writer.close();
  });

  it('rejects every event of a failed batch and stores none of it', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = new LogWriter(log);
    const bad = { ...fresh(ev({ kind: 'token' })), id: null as unknown as string }; // NOT NULL violation
    await expect(writer.submit([fresh(ev({ kind: 'token' })), bad])).rejects.toMatchObject({ code: 'storage_failed' });
    expect(log.head()).toBe(0);
    expect((await writer.submit([fresh(ev({ kind: 'token' }))]))[0].seq).toBe(1);
    writer.close();
  });

  it('refuses work after close', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory());
    writer.close();
    await expect(writer.submit([fresh(ev({ kind: 'token' }))])).rejects.toMatchObject({ code: 'shutting_down' });
  });
});

describe('LogWriter backpressure', () => {
  it('reports overload above the high-water mark and calls drain listeners after the commit', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory(), { highWater: 3 });
    let drains = 0;
    writer.onDrain(() => drains++);
    const p = writer.submit([1, 2, 3].map(() => fresh(ev({ kind: 'token' }))));
    expect(writer.backlog).toBe(3);
    expect(writer.overloaded).toBe(true);
    await p;
    expect(writer.backlog).toBe(0);
    expect(writer.overloaded).toBe(false);
    expect(drains).toBe(1);
    writer.close();
  });
});

describe('LogWriter bounded commits [G6]', () => {
  it('[G6] commits a large submit in bounded transactions, yielding between them, and resolves after the last', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory(), { maxBatch: 100 });
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
    writer.close();
  });

  it('[G6] a small submit is not held behind every part of a large one', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory(), { maxBatch: 100 });
    const big = writer.submit(Array.from({ length: 1000 }, () => fresh(ev({ kind: 'token' }))));
    let bigDone = false;
    void big.then(() => (bigDone = true));
    const small = await writer.submit([fresh(ev({ kind: 'token' }))]);
    expect(bigDone).toBe(false);
    expect(small[0].seq).toBeLessThan(1000);
    await big;
    writer.close();
  });

  it('[G6] keeps lamport in seq order per trace when parts interleave', async () => {
    const writer = new LogWriter(SqliteEventLog.inMemory(), { maxBatch: 100 });
    const a = writer.submit(Array.from({ length: 300 }, () => fresh(ev({ kind: 'token', trace_id: TRACE }))));
    const b = writer.submit(Array.from({ length: 5 }, () => fresh(ev({ kind: 'token', trace_id: TRACE }))));
    await Promise.all([a, b]);
    const lamports = writer.log.read({ traceId: TRACE, limit: 1000 }).map((e) => e.lamport);
    expect(lamports).toEqual([...lamports].sort((x, y) => x - y));
    writer.close();
  });

  it('[G6] a failed part says exactly how much of the submit was committed, and a retry stores only the rest', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = new LogWriter(log, { maxBatch: 100 });
    const events = Array.from({ length: 300 }, () => fresh(ev({ kind: 'token' })));
    const broken = events.map((e, i) => (i === 250 ? { ...e, agent: null as unknown as string } : e)); // NOT NULL violation in the third part
    const err = await writer.submit(broken).catch((e) => e);
    expect(err).toMatchObject({ code: 'storage_failed', details: { committed: 200 } });
    expect(err.details.committed_ids).toEqual(events.slice(0, 200).map((e) => e.id));
    expect(log.head()).toBe(200);
    const retry = await writer.submit(events);
    expect(retry.filter((r) => r.duplicate).length).toBe(200);
    expect(log.head()).toBe(300);
    writer.close();
  });
});

describe('LogWriter.submitInParts [G6]', () => {
  it('[G6] never queues more than one part, and a failure counts what the whole batch committed', async () => {
    const log = SqliteEventLog.inMemory();
    const writer = new LogWriter(log, { highWater: 150 });
    let overloaded = false;
    writer.onCommit(() => (overloaded ||= writer.overloaded));
    const events = Array.from({ length: 1000 }, () => fresh(ev({ kind: 'token' })));
    const p = writer.submitInParts(events, 100);
    expect(writer.backlog).toBeLessThanOrEqual(100);
    expect((await p).length).toBe(1000);
    expect(overloaded).toBe(false);
    const more = Array.from({ length: 500 }, () => fresh(ev({ kind: 'token' })));
    const broken = more.map((e, i) => (i === 350 ? { ...e, agent: null as unknown as string } : e));
    await expect(writer.submitInParts(broken, 100)).rejects.toMatchObject({ code: 'storage_failed', details: { committed: 300 } });
    expect(log.head()).toBe(1300);
    writer.close();
  });
});
