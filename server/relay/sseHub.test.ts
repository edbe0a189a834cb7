import { expect, it } from 'vitest';
import { formatSse } from './sseHub';

it('formats one SSE event per payload, one data line per payload line', () => {
  expect(formatSse(7, '{"a":1}')).toBe('id: 7\ndata: {"a":1}\n\n');
  expect(formatSse(8, 'line1\nline2\r\nline3')).toBe('id: 8\ndata: line1\ndata: line2\ndata: line3\n\n');
  expect(formatSse(9, '')).toBe('id: 9\ndata: \n\n');
});

it('[G6] a replay from Last-Event-ID 0 to a fast reader yields the loop in slices, and live events follow in order', async () => {
  const { EventEmitter } = await import('node:events');
  const { SqliteEventLog } = await import('../store/sqliteEventLog');
  const { LogWriter } = await import('../store/logWriter');
  const { ev } = await import('../testing/eventLogContract');
  const { SseHub } = await import('./sseHub');
  const { AddressSlots } = await import('./addressSlots');
  const log = SqliteEventLog.inMemory();
  for (let b = 0; b < 30; b++) await log.append(Array.from({ length: 1000 }, (_, i) => ev({ kind: 'broadcast', topic: 'big', data: { payload: `${b * 1000 + i}` } })));
  // Opened over the filled log, as at start-up: the writer is the only one that moves the head after.
  const writer = await LogWriter.open(log);
  const hub = new SseHub(log, writer, new AddressSlots(10, 10));
  // A reader that drains instantly: the buffer never fills, so only the slice bound yields.
  const written: number[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableLength: 0,
    writeHead: () => res,
    write: (chunk: string) => {
      const m = /^id: (\d+)/.exec(chunk);
      if (m) written.push(Number(m[1]));
      return true;
    },
    end: () => undefined,
  });
  let timerRan = false;
  setTimeout(() => (timerRan = true), 0);
  hub.open(res as never, 'big', 0, '127.0.0.1');
  expect(written.length).toBeLessThan(30_000); // not the whole topic in one synchronous run
  const { lamport: _l, ...live } = ev({ kind: 'broadcast', topic: 'big', data: { payload: 'live' } });
  await writer.submit([live]);
  for (let i = 0; i < 500 && written.length < 30_001; i++) await new Promise((r) => setImmediate(r));
  expect(timerRan).toBe(true);
  expect(written).toEqual(Array.from({ length: 30_001 }, (_, i) => i + 1));
  hub.close();
  await writer.close();
});

it('[G2] over a log that answers late, a broadcast committed while the replay read is out arrives once, in order, and the stream goes live', async () => {
  const { EventEmitter } = await import('node:events');
  const { MemoryEventLog } = await import('../store/memoryEventLog');
  const { slowEventLog } = await import('../testing/slowEventLog');
  const { LogWriter } = await import('../store/logWriter');
  const { ev } = await import('../testing/eventLogContract');
  const { SseHub } = await import('./sseHub');
  const { AddressSlots } = await import('./addressSlots');
  const inner = new MemoryEventLog();
  await inner.append(Array.from({ length: 10 }, (_, i) => ev({ kind: 'broadcast', topic: 't', data: { payload: `old ${i}` } })));
  const { log, calls } = slowEventLog(inner, { read: 50, other: 5 }); // the commit lands while a read is out
  const writer = await LogWriter.open(log);
  const hub = new SseHub(log, writer, new AddressSlots(10, 10));
  const written: number[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableLength: 0,
    writeHead: () => res,
    write: (chunk: string) => {
      const m = /^id: (\d+)/.exec(chunk);
      if (m) written.push(Number(m[1]));
      return true;
    },
    end: () => undefined,
  });
  const publish = (payload: string) => {
    const { lamport: _l, ...e } = ev({ kind: 'broadcast', topic: 't', data: { payload } });
    return writer.submit([e]);
  };
  const readsBefore = calls.read;
  hub.open(res as never, 't', 0, '127.0.0.1');
  await publish('during the replay'); // committed and announced while the first read is out
  expect(written).toEqual([]);
  await new Promise((r) => setTimeout(r, 250));
  expect(written).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  expect(calls.read - readsBefore).toBeGreaterThanOrEqual(2); // read again for what came in meanwhile
  await publish('live');
  expect(written).toEqual(Array.from({ length: 12 }, (_, i) => i + 1)); // live: written by the commit itself
  hub.close();
  await writer.close();
});
