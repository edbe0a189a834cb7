/** Retention on a real SQLite file: what is deleted, what is kept (whole traces), the floor, tombstones, file size. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../lib/protocol/events';
import { tempDir } from '../testing/harness';
import type { StampedEvent } from './eventLog';
import { RetentionSweeper } from './retention';
import { SqliteEventLog } from './sqliteEventLog';

const HOUR = 3_600_000;
const T0 = 1_760_000_000_000;
let n = 0;
function ev(ts: number, trace: string | null, extra: Partial<NewEvent> = {}): StampedEvent {
  return { id: `r${++n}`, ts, t: null, kind: 'token', trace_id: trace, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: null, data: { text: 'x' }, lamport: 1, ...extra } as StampedEvent;
}
const trace = (c: string) => c.repeat(32);

describe('retention', () => {
  it('[G8] deletes exactly the events older than the window, whole traces only, in small batches', async () => {
    const log = SqliteEventLog.open(tempDir());
    const old = T0;
    const fresh = T0 + 10 * HOUR;
    // seq 1-3 trace A (all old) ; 4-5 loose old ; 6 trace B old start ; 7-8 trace C (old) ; 9 trace B fresh end ; 10-11 loose fresh
    await log.append([ev(old, trace('a')), ev(old + 1, trace('a')), ev(old + 2, trace('a'))]);
    await log.append([ev(old + 3, null, { kind: 'broadcast', topic: 't', data: { payload: 'p' } } as Partial<NewEvent>), ev(old + 4, null)]);
    await log.append([ev(old + 5, trace('b'))]);
    await log.append([ev(old + 6, trace('c')), ev(old + 7, trace('c'))]);
    await log.append([ev(fresh, trace('b'))]);
    await log.append([ev(fresh + 1, null), ev(fresh + 2, null)]);
    const now = fresh + HOUR;
    const sweeper = new RetentionSweeper(log, { retentionMs: 5 * HOUR, maxBytes: null, intervalMs: 60_000, batchRows: 3, now: () => now });
    await sweeper.runOnce();
    const left = (await log.read({ limit: 100 })).map((e) => e.seq);
    // A, the loose old events and C are gone; B (old start, fresh end) is kept whole.
    expect(left).toEqual([6, 9, 10, 11]);
    expect(sweeper.stats.eventsDeleted).toBe(7);
    expect(sweeper.stats.tracesDeleted).toBe(2);
    expect(sweeper.stats.batches).toBeGreaterThan(2); // 3 rows per transaction
    expect(await log.floor()).toBe(8); // seq 9 is the first fresh event
    expect(await log.oldestSeq()).toBe(6);
    expect(await log.isExpiredTrace(trace('a'))).toBe(true);
    expect(await log.isExpiredTrace(trace('c'))).toBe(true);
    expect(await log.isExpiredTrace(trace('b'))).toBe(false);
    expect((await log.listTraces({})).map((t) => t.trace_id)).toEqual([trace('b')]);
    expect((await log.read({ traceId: trace('b') })).map((e) => e.seq)).toEqual([6, 9]);
    await log.close();
  });

  it('[G8] a trace kept because it was live goes as a whole once it ends before the window', async () => {
    const log = SqliteEventLog.open(tempDir());
    await log.append([ev(T0, trace('d')), ev(T0 + 1, null), ev(T0 + HOUR, trace('d')), ev(T0 + HOUR + 1, null)]);
    let now = T0 + HOUR + 30 * 60_000;
    const sweeper = new RetentionSweeper(log, { retentionMs: HOUR, maxBytes: null, intervalMs: 60_000, batchRows: 2, now: () => now });
    await sweeper.runOnce();
    expect((await log.read({ limit: 10 })).map((e) => e.seq)).toEqual([1, 3, 4]); // d is live: kept, seq 2 gone
    now = T0 + 3 * HOUR;
    await sweeper.runOnce();
    expect(await log.read({ limit: 10 })).toEqual([]);
    expect(await log.isExpiredTrace(trace('d'))).toBe(true);
    expect(await log.listTraces({})).toEqual([]);
    await log.close();
  });

  it('[G8] over the size budget deletes the oldest events first and the file shrinks (incremental vacuum)', async () => {
    const dir = tempDir();
    const log = SqliteEventLog.open(dir);
    const pad = 'y'.repeat(2000);
    for (let b = 0; b < 20; b++) (await log.append(Array.from({ length: 100 }, (_, i) => ev(T0 + b * 100 + i, null, { data: { text: pad } } as Partial<NewEvent>))));
    const before = fs.statSync(path.join(dir, 'events.db')).size;
    const budget = 1_500_000;
    expect(log.usedBytes()).toBeGreaterThan(budget);
    const sweeper = new RetentionSweeper(log, { retentionMs: null, maxBytes: budget, intervalMs: 60_000, batchRows: 200, now: () => T0 + 10_000 });
    await sweeper.runOnce();
    expect(log.usedBytes()).toBeLessThanOrEqual(budget);
    const left = (await log.read({ limit: 10_000 })).map((e) => e.seq);
    expect(left.at(-1)).toBe(2000); // the newest are kept
    expect(left[0]).toBe((await log.floor()) + 1); // and only a prefix went
    expect(sweeper.stats.pagesReleased).toBeGreaterThan(0);
    await log.close(); // checkpoints the WAL so the file shows its final size
    expect(fs.statSync(path.join(dir, 'events.db')).size).toBeLessThan(before * 0.8);
  });

  it('[G8] a retention pass never holds the writer for long: each transaction is one small batch', async () => {
    const log = SqliteEventLog.open(tempDir());
    for (let b = 0; b < 50; b++) (await log.append(Array.from({ length: 1000 }, (_, i) => ev(T0 + b * 1000 + i, b % 2 ? trace((b % 10).toString(16)) : null))));
    const sweeper = new RetentionSweeper(log, { retentionMs: 1000, maxBytes: null, intervalMs: 60_000, batchRows: 500, now: () => T0 + 10 * 60_000 });
    await sweeper.runOnce();
    expect(await log.read({ limit: 10 })).toEqual([]);
    expect(sweeper.stats.eventsDeleted).toBe(50_000);
    // The work was split into transactions of at most 500 rows (fewer when one hit its ~4 ms
    // budget), with a yield between each. Wall-clock stalls are measured against the real
    // server in retention.integration.test.ts (event-loop delay < 100 ms).
    expect(sweeper.stats.batches).toBeGreaterThanOrEqual(50_000 / 500);
    await log.close();
  });
});
