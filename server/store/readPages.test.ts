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
});
