import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent, XrayEvent } from '../../lib/protocol/events';
import type { EventLog } from '../store/eventLog';
import { MemoryEventLog } from '../store/memoryEventLog';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { slowEventLog } from '../testing/slowEventLog';
import { IndexFeeder } from './indexFeeder';
import { SpanIndex } from './spanIndex';

const T = 'e'.repeat(32);
const sid = (n: number) => n.toString(16).padStart(16, '0');

/** `n` complete spans (start + end) with a token between each, appended to a real log. */
async function appendSpans(log: EventLog, n: number, from = 0): Promise<XrayEvent[]> {
  const events: NewEvent[] = [];
  for (let i = from; i < from + n; i++) {
    const base = { ts: 1000 + i, t: null, trace_id: T, span_id: sid(i + 1), parent_span_id: null, agent: 'a', peer: null, topic: null };
    events.push({ ...base, id: `s${i}`, kind: 'span.start', data: { name: 'work', attributes: { i } } });
    events.push({ ...base, id: `k${i}`, kind: 'token', data: { text: 'x' } });
    events.push({ ...base, id: `e${i}`, kind: 'span.end', data: { status: 'ok' } });
  }
  const results = await log.append(events.map((e) => ({ ...e, lamport: 1 })));
  return events.map((e, i) => ({ ...e, seq: results[i].seq, lamport: 1 }) as XrayEvent);
}

let index: SpanIndex;
let log: EventLog;
let feeder: IndexFeeder;
afterEach(async () => {
  feeder?.close();
  index?.close();
  await log?.close();
});

describe('IndexFeeder', () => {
  it('[G6] indexes off the commit path, a bounded slice per event-loop turn; settled() waits for it', async () => {
    log = SqliteEventLog.inMemory();
    index = SpanIndex.inMemory();
    feeder = new IndexFeeder(index, log, 0, { slice: 100, queue: 100_000 });
    const slices: number[] = [];
    const apply = index.apply.bind(index);
    index.apply = (events, notify) => (slices.push(events.length), apply(events, notify));
    feeder.onCommit(await appendSpans(log, 1000));
    expect(index.head).toBe(0); // nothing indexed inside the commit listener
    await feeder.settled(10_000);
    expect(index.size).toBe(1000);
    expect(index.head).toBe(await log.head());
    expect(Math.max(...slices)).toBeLessThanOrEqual(100);
    expect(slices.length).toBeGreaterThanOrEqual(20);
  });

  it('[G6] a slice is sized by time, not count: spans that are slow to index come a few per turn', async () => {
    log = SqliteEventLog.inMemory();
    index = SpanIndex.inMemory();
    feeder = new IndexFeeder(index, log, 0, { slice: 500, budgetMs: 8 });
    const slices: { n: number; ms: number }[] = [];
    const apply = index.apply.bind(index);
    index.apply = (events, notify) => {
      const started = performance.now();
      while (performance.now() - started < events.length * 0.5); // 0.5 ms per event: a span with large attributes
      const done = apply(events, notify);
      slices.push({ n: events.length, ms: performance.now() - started });
      return done;
    };
    feeder.onCommit(await appendSpans(log, 150));
    await feeder.settled(10_000);
    expect(index.size).toBe(150);
    expect(slices.reduce((n, s) => n + s.n, 0)).toBe(300);
    // A kind never indexed goes first in a small probe; after it, each slice holds what 8 ms
    // allow at ≥ 0.5 ms per event: 16 at most (was 500, a count, whatever each one cost).
    expect(slices[0].n).toBe(8);
    expect(Math.max(...slices.map((s) => s.n))).toBeLessThanOrEqual(16);
  });

  it('[G6] a burst past the queue bound is dropped from memory and indexed from the log instead, in order', async () => {
    log = SqliteEventLog.inMemory();
    index = SpanIndex.inMemory();
    feeder = new IndexFeeder(index, log, 0, { slice: 200, queue: 500 });
    const order: number[] = [];
    index.onApplied((completed) => order.push(...completed.map((c) => c.seq)));
    feeder.onCommit(await appendSpans(log, 300)); // 600 span events > 500: overflow
    feeder.onCommit(await appendSpans(log, 100, 300));
    expect(feeder.stats.overflows).toBe(1);
    await feeder.settled(10_000);
    expect(index.size).toBe(400);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toHaveLength(400);
    // Back on the queue afterwards.
    feeder.onCommit(await appendSpans(log, 10, 400));
    await feeder.settled(10_000);
    expect(index.size).toBe(410);
  });

  it('[G6] over a log that answers late, spans committed while a catch-up read is out are indexed too, once, in order', async () => {
    const inner = new MemoryEventLog();
    log = slowEventLog(inner, { read: 30, other: 1 }).log;
    index = SpanIndex.inMemory();
    feeder = new IndexFeeder(index, log, 0, { slice: 1000, queue: 10 });
    const order: number[] = [];
    index.onApplied((completed) => order.push(...completed.map((c) => c.seq)));
    feeder.onCommit(await appendSpans(inner, 20)); // 40 span events > 10: read from the log
    await new Promise((r) => setTimeout(r, 5)); // the catch-up read is out now
    feeder.onCommit(await appendSpans(inner, 5, 20)); // announced meanwhile: not queued
    await feeder.settled(10_000);
    expect(index.size).toBe(25);
    expect(order).toHaveLength(25);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(index.head).toBe(await inner.head());
  });
});
