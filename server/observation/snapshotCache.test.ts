import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { LogWriter } from '../store/logWriter';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { EventWindow } from './eventWindow';
import { coalesce } from './scopeStream';
import { SnapshotCache, snapshotOf } from './snapshotCache';

const T = 'd'.repeat(32);
const S = '1'.repeat(16);

async function setup(tokens: number, windowEvents = 100) {
  const log = SqliteEventLog.inMemory();
  const writer = await LogWriter.open(log);
  const window = new EventWindow(windowEvents);
  writer.onCommit((events) => window.push(events));
  const fresh = Array.from({ length: tokens }, (_, i) => {
    const { lamport: _l, ...e } = ev({ kind: 'token', trace_id: T, span_id: S, data: { text: `${i} ` } });
    return e;
  });
  await writer.submitInParts(fresh);
  let reads = 0;
  const read = log.read.bind(log);
  log.read = (q) => (reads++, read(q));
  return { log, writer, window, reads: () => reads };
}

describe('SnapshotCache [G6]', () => {
  const scope = { kind: 'trace', traceId: T } as const;

  it('[G6] builds a big snapshot page by page, yielding the loop between pages, equal to coalescing it at once', async () => {
    const { log, window } = await setup(5000);
    const cache = new SnapshotCache(log, window, { pageEvents: 500 });
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    const entry = await cache.get(scope, await log.head());
    expect(timerRan).toBe(true);
    expect(cache.stats.pages).toBe(10);
    const whole = coalesce((await log.read({ traceId: T, limit: 10_000 })), scope);
    expect(snapshotOf(entry)).toMatchObject({ seq: await log.head(), truncated: false, text: whole.text, events: whole.events });
  });

  it('[G6] computes once and shares: concurrent and later requests at the same head read nothing more', async () => {
    const { log, window, reads } = await setup(3000);
    const cache = new SnapshotCache(log, window, { pageEvents: 500 });
    const head = await log.head();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => cache.get(scope, head)));
    expect(a).toBe(b);
    expect(b).toBe(c);
    const after = reads();
    for (let i = 0; i < 50; i++) await cache.get(scope, await log.head());
    expect(reads()).toBe(after);
    expect(cache.stats.builds).toBe(1);
    expect(cache.stats.hits).toBe(50);
  });

  it('[G6] extends as the trace grows, from the window when it covers the gap, without re-reading the log', async () => {
    const { log, writer, window, reads } = await setup(2000);
    const cache = new SnapshotCache(log, window, { pageEvents: 500 });
    await cache.get(scope, await log.head());
    const before = reads();
    const { lamport: _l, ...more } = ev({ kind: 'token', trace_id: T, span_id: S, data: { text: 'tail' } });
    await writer.submit([more]);
    const entry = await cache.get(scope, await log.head());
    expect(reads()).toBe(before);
    expect(entry.seq).toBe(await log.head());
    expect(snapshotOf(entry).text[0][3].endsWith('tail')).toBe(true);
    expect(snapshotOf(entry).text[0][4]).toBe(2001);
  });
});
