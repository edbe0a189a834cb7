import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { MemoryEventLog } from '../store/memoryEventLog';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { slowEventLog } from '../testing/slowEventLog';
import { buildTrace } from '../../lib/trace/buildTrace';
import { TraceReadCache, type TraceView } from './traceReadCache';
import { addTraceEvents, finishTrace, newTraceAccumulator, type TraceAccumulator } from '../../lib/trace/buildTrace';

const T = 'e'.repeat(32);
const S = '2'.repeat(16);
const tree: TraceView<TraceAccumulator> = { name: 'tree', start: newTraceAccumulator, add: (a, p) => void addTraceEvents(a, p), finish: finishTrace };

describe('TraceReadCache [G6]', () => {
  it('[G6] builds a trace once per version, page by page, and serves repeats from the cache', async () => {
    const log = SqliteEventLog.inMemory();
    await log.append([ev({ kind: 'span.start', trace_id: T, span_id: S, data: { name: 'step', attributes: {} } }), ...Array.from({ length: 2500 }, (_, i) => ev({ kind: 'token', trace_id: T, span_id: S, data: { text: `${i},` } }))]);
    const cache = new TraceReadCache(log, { pageEvents: 500 });
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    const first = await cache.get(tree, T);
    expect(timerRan).toBe(true); // the build yielded the loop between pages
    expect(JSON.parse(first!)).toEqual(JSON.parse(JSON.stringify(buildTrace(T, (await log.read({ traceId: T, limit: 10_000 }))))));
    await Promise.all(Array.from({ length: 20 }, () => cache.get(tree, T)));
    expect(cache.stats).toEqual({ builds: 1, hits: 20 });
    // The trace grows: the next read rebuilds, once.
    await log.append([ev({ kind: 'token', trace_id: T, span_id: S, data: { text: 'more' } })]);
    const grown = JSON.parse((await cache.get(tree, T))!);
    expect(grown.tokens).toBe(2501);
    expect(cache.stats.builds).toBe(2);
    expect(await cache.get(tree, 'f'.repeat(32))).toBeNull();
  });

  it('[G6] over a log that answers late, requests arriving while the freshness probe is out join one rebuild', async () => {
    const inner = new MemoryEventLog();
    const { log, calls } = slowEventLog(inner, 10);
    await inner.append([ev({ kind: 'span.start', trace_id: T, span_id: S, data: { name: 'step', attributes: {} } }), ev({ kind: 'token', trace_id: T, span_id: S, data: { text: 'a' } })]);
    const cache = new TraceReadCache(log, { pageEvents: 500 });
    await cache.get(tree, T);
    await inner.append([ev({ kind: 'token', trace_id: T, span_id: S, data: { text: 'b' } })]);
    const before = calls.read;
    const bodies = await Promise.all(Array.from({ length: 5 }, () => cache.get(tree, T)));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!).tokens).toBe(2);
    expect(cache.stats.builds).toBe(2);
    expect(calls.read - before).toBe(5 + 1); // five probes, one page of rebuild
  });
});
