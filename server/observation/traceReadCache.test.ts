import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { MemoryEventLog } from '../store/memoryEventLog';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { slowEventLog } from '../testing/slowEventLog';
import { buildTrace } from '../../lib/trace/buildTrace';
import { TraceReadCache, type TraceView } from './traceReadCache';
import { accumulatorBytes, addTraceEvents, finishTrace, finishTraceSoFar, newTraceAccumulator, type TraceAccumulator } from '../../lib/trace/buildTrace';
import type { EventLog, ReadQuery } from '../store/eventLog';

const T = 'e'.repeat(32);
const S = '2'.repeat(16);
const tree: TraceView<TraceAccumulator> = { name: 'tree', start: newTraceAccumulator, add: (a, p) => void addTraceEvents(a, p), finish: finishTrace };
const resumableTree: TraceView<TraceAccumulator> = { ...tree, finish: (a) => finishTraceSoFar(a), resumable: { stateBytes: accumulatorBytes } };

/** The log, counting the events its reads return; `failAfter`: reads throw once that many more events have been returned. */
function countingLog(inner: EventLog) {
  const seen = { events: 0, failAfter: Infinity };
  const log = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'read')
        return async (q: ReadQuery) => {
          if (seen.events >= seen.failAfter) throw new Error('disk read failed');
          const rows = await target.read(q);
          seen.events += rows.length;
          return rows;
        };
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { log, seen };
}

const tokens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ev({ kind: 'token', trace_id: T, span_id: S, data: { text: `${from + i},` } }));
const scratch = async (log: EventLog) => JSON.parse(JSON.stringify(buildTrace(T, await log.read({ traceId: T, limit: 100_000 }))));

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
    expect(cache.stats).toEqual({ builds: 1, hits: 20, resumed: 0 });
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

  it('[G6] a grown trace continues the last build: only the new events are read, and the body equals a build from scratch', async () => {
    const inner = SqliteEventLog.inMemory();
    await inner.append([ev({ kind: 'span.start', trace_id: T, span_id: S, data: { name: 'step', attributes: {} } }), ...tokens(2500)]);
    const { log, seen } = countingLog(inner);
    const cache = new TraceReadCache(log, { pageEvents: 500 });
    expect(JSON.parse((await cache.get(resumableTree, T))!)).toEqual(await scratch(inner));
    expect(seen.events).toBe(2501);
    for (let round = 0; round < 3; round++) {
      await inner.append([...tokens(40, 10_000 + round * 40), ev({ kind: 'span.end', trace_id: T, span_id: S, data: { status: round === 2 ? 'error' : 'ok', error: round === 2 ? 'late failure' : undefined } })]);
      const before = seen.events;
      const body = JSON.parse((await cache.get(resumableTree, T))!);
      expect(body).toEqual(await scratch(inner));
      expect(seen.events - before).toBe(1 + 41); // the freshness probe's one event, then the 41 new ones
    }
    expect(cache.stats).toMatchObject({ builds: 4, resumed: 3 });
  });

  it('[G6] a continued build that fails part-way is not continued again: the next read builds from scratch, right', async () => {
    const inner = SqliteEventLog.inMemory();
    await inner.append([ev({ kind: 'span.start', trace_id: T, span_id: S, data: { name: 'step', attributes: {} } }), ...tokens(100)]);
    const { log, seen } = countingLog(inner);
    const cache = new TraceReadCache(log, { pageEvents: 10 });
    await cache.get(resumableTree, T);
    await inner.append(tokens(50, 1000));
    seen.failAfter = seen.events + 1 + 20; // the probe's event, two pages of the continued build, then the disk fails
    await expect(cache.get(resumableTree, T)).rejects.toThrow('disk read failed');
    seen.failAfter = Infinity;
    expect(JSON.parse((await cache.get(resumableTree, T))!)).toEqual(await scratch(inner));
    expect(cache.stats).toMatchObject({ builds: 3, resumed: 1 });
  });

  it('[G6] fold states are kept within their byte budget (bodies stay cached either way): a trace whose state did not fit is built from scratch when it grows, one that fit continues', async () => {
    const inner = SqliteEventLog.inMemory();
    const small = 'd'.repeat(32);
    await inner.append([ev({ kind: 'span.start', trace_id: T, span_id: S, data: { name: 'step', attributes: {} } }), ...tokens(100)]);
    await inner.append([ev({ kind: 'span.start', trace_id: small, span_id: S, data: { name: 'small', attributes: {} } })]);
    // Room for the one-event trace's state (96 + 1,024 bytes by the estimate), not the 101-event one's.
    const cache = new TraceReadCache(inner, { maxResumeBytes: 2000 });
    await cache.get(resumableTree, T);
    await cache.get(resumableTree, small);
    await cache.get(resumableTree, T);
    expect(cache.stats).toMatchObject({ builds: 2, hits: 1 }); // T's body is cached without its state
    await inner.append(tokens(5, 500));
    expect(JSON.parse((await cache.get(resumableTree, T))!)).toEqual(await scratch(inner));
    expect(cache.stats).toMatchObject({ builds: 3, resumed: 0 });
    await inner.append([ev({ kind: 'token', trace_id: small, span_id: S, data: { text: 'x' } })]);
    expect(JSON.parse((await cache.get(resumableTree, small))!).tokens).toBe(1);
    expect(cache.stats).toMatchObject({ builds: 4, resumed: 1 });
  });
});
