import { expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import { makeEvent } from '../../lib/testing/events';
import { EventWindow } from './eventWindow';

const ev = (seq: number): XrayEvent => makeEvent('subscribe', { seq });

it('serves events after a cursor while it is inside the window, and refuses once it fell behind', () => {
  const w = new EventWindow(5);
  expect(w.since(0, 10, 100)).toBeUndefined(); // never filled: it knows nothing, the caller reads the log
  w.push([1, 2, 3].map(ev));
  expect(w.since(0, 10, 100)!.map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(w.since(2, 10, 100)!.map((e) => e.seq)).toEqual([3]);
  w.push([4, 5, 7, 8].map(ev)); // 6 was a duplicate: no event, a gap in seq
  expect(w.floor).toBe(2);
  expect(w.since(1, 10, 100)).toBeUndefined();
  expect(w.since(2, 10, 100)!.map((e) => e.seq)).toEqual([3, 4, 5, 7, 8]);
  expect(w.since(5, 10, 100)!.map((e) => e.seq)).toEqual([7, 8]);
  expect(w.since(2, 5, 100)!.map((e) => e.seq)).toEqual([3, 4, 5]);
  expect(w.since(2, 10, 2)!.map((e) => e.seq)).toEqual([3, 4]);
  expect(w.size).toBe(5);
});

it('[G5] a big event evicts as many of the oldest as its bytes need, in seq order, and the floor follows', () => {
  const tok = (seq: number, chars: number): XrayEvent => makeEvent('token', { seq, data: { text: 'x'.repeat(chars) } });
  // Sizes: 256 + 2 × chars. Bound 3,000: 1,000 + 1,000 + 1,000 fit exactly.
  const w = new EventWindow(1000, 3000);
  w.push([tok(1, 372), tok(2, 372), tok(3, 372)]);
  expect(w.approxBytes).toBe(3000);
  expect(w.floor).toBe(0);
  w.push([tok(4, 872)]); // 2,000 bytes: the two oldest go, not the newest
  expect(w.since(0, 100, 100)).toBeUndefined();
  expect(w.since(2, 100, 100)!.map((e) => e.seq)).toEqual([3, 4]);
  expect(w.approxBytes).toBe(3000);
  w.push([tok(5, 72)]); // 400 bytes: 3 (1,000) goes, 4 stays
  expect(w.since(3, 100, 100)!.map((e) => e.seq)).toEqual([4, 5]);
  expect(w.approxBytes).toBe(2400);
});

it('[G5] an event bigger than the whole bound is kept alone (the newest is always served), never with others', () => {
  const w = new EventWindow(1000, 1000);
  w.push([makeEvent('token', { seq: 1, data: { text: 'ab' } }), makeEvent('token', { seq: 2, data: { text: 'y'.repeat(5000) } })]);
  expect(w.size).toBe(1);
  expect(w.floor).toBe(1);
  expect(w.since(1, 10, 10)!.map((e) => e.seq)).toEqual([2]);
  w.push([makeEvent('token', { seq: 3, data: { text: 'c' } })]);
  expect(w.since(2, 10, 10)!.map((e) => e.seq)).toEqual([3]);
  expect(w.approxBytes).toBe(258);
});

it('stays within its byte bound, dropping the oldest events', () => {
  const big = (seq: number): XrayEvent => makeEvent('token', { seq, data: { text: 'x'.repeat(1000) } });
  const w = new EventWindow(1000, 10_000);
  w.push(Array.from({ length: 50 }, (_, i) => big(i + 1)));
  expect(w.approxBytes).toBeLessThanOrEqual(10_000);
  expect(w.size).toBe(4); // 2,256 bytes each
  expect(w.floor).toBe(46);
  expect(w.since(46, 100, 100)!.map((e) => e.seq)).toEqual([47, 48, 49, 50]);
  expect(w.since(45, 100, 100)).toBeUndefined();
});

it('[F3] after a reset it holds every event after the given head and nothing before: an older cursor is refused, never served with a gap', () => {
  const w = new EventWindow(100);
  w.push([1, 2, 3].map(ev));
  w.reset(7); // 4…7 were committed while nobody was watching: not in the window
  expect(w.size).toBe(0);
  expect(w.approxBytes).toBe(0);
  expect(w.floor).toBe(7);
  expect(w.since(3, 7, 100)).toBeUndefined();
  expect(w.since(7, 7, 100)).toEqual([]);
  w.push([8, 9].map(ev));
  expect(w.since(3, 9, 100)).toBeUndefined();
  expect(w.since(7, 9, 100)!.map((e) => e.seq)).toEqual([8, 9]);
  expect(w.floor).toBe(7);
});
