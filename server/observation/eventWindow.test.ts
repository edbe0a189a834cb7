import { expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import { makeEvent } from '../../lib/testing/events';
import { EventWindow } from './eventWindow';

const ev = (seq: number): XrayEvent => makeEvent('subscribe', { seq });

it('serves events after a cursor while it is inside the window, and refuses once it fell behind', () => {
  const w = new EventWindow(5);
  expect(w.since(0, 10, 100)).toEqual([]);
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

it('stays within its byte bound, dropping the oldest events', () => {
  const big = (seq: number): XrayEvent => makeEvent('token', { seq, data: { text: 'x'.repeat(1000) } });
  const w = new EventWindow(1000, 10_000);
  w.push(Array.from({ length: 50 }, (_, i) => big(i + 1)));
  expect(w.approxBytes).toBeLessThanOrEqual(10_000);
  expect(w.size).toBe(4); // 2,200 bytes each
  expect(w.floor).toBe(46);
  expect(w.since(46, 100, 100)!.map((e) => e.seq)).toEqual([47, 48, 49, 50]);
  expect(w.since(45, 100, 100)).toBeUndefined();
});
