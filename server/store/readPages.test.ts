import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import type { EventLog, ReadQuery } from './eventLog';
import { MemoryEventLog } from './memoryEventLog';
import { readAll, readPages } from './readPages';

/** Counts reads and remembers the largest limit asked for. */
function spy(log: EventLog) {
  const calls: ReadQuery[] = [];
  const read = log.read.bind(log);
  log.read = (q) => {
    calls.push(q);
    return read(q);
  };
  return calls;
}

describe('readPages', () => {
  it('[L3] reads a range a bounded page at a time, each page after the last, adding up to the whole', async () => {
    const log = new MemoryEventLog();
    await log.append(Array.from({ length: 23 }, (_, i) => ev({ kind: 'token', topic: i % 2 ? 'odd' : null })));
    const calls = spy(log);
    const pages: number[][] = [];
    for await (const page of readPages(log, { after: 2 }, { pageSize: 5 })) pages.push(page.map((e) => e.seq));
    expect(pages.flat()).toEqual(Array.from({ length: 21 }, (_, i) => i + 3));
    expect(pages.every((p) => p.length <= 5)).toBe(true);
    expect(calls.every((q) => (q.limit ?? Infinity) <= 5)).toBe(true);
    expect(calls.map((q) => q.after)).toEqual([2, 7, 12, 17, 22]);
  });

  it('[L3] stops at `max` and keeps the query filters', async () => {
    const log = new MemoryEventLog();
    await log.append(Array.from({ length: 30 }, (_, i) => ev({ kind: 'token', topic: i % 2 ? 'odd' : null })));
    const calls = spy(log);
    const events = await readAll(log, { topic: 'odd' }, { pageSize: 4, max: 10 });
    expect(events.map((e) => e.seq)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(calls.map((q) => q.limit)).toEqual([4, 4, 2]);
    expect(await readAll(log, { topic: 'none' })).toEqual([]);
  });

  it('[G6] with seqSpan a sparse read looks at no more than that many seqs per read, lets the event loop run between reads, and adds up to the same events', async () => {
    const log = new MemoryEventLog();
    await log.append(Array.from({ length: 100 }, (_, i) => ev({ kind: 'token', topic: i % 30 === 0 ? 'rare' : null })));
    const calls = spy(log);
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const events = await readAll(log, { topic: 'rare', after: 5, upTo: 95 }, { pageSize: 2, seqSpan: 20 });
    ticking = false;
    expect(events.map((e) => e.seq)).toEqual([31, 61, 91]);
    expect(calls.every((q) => q.upTo! - (q.after ?? 0) <= 20)).toBe(true);
    expect(calls.at(-1)!.upTo).toBe(95);
    expect(ticks).toBeGreaterThan(2); // other callbacks ran in between: the reads did not hold the loop
    expect((await readAll(log, { topic: 'rare', after: 5, upTo: 95 }, { pageSize: 2 })).map((e) => e.seq)).toEqual([31, 61, 91]);
  });
});
