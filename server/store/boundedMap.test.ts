import { expect, it } from 'vitest';
import { BoundedMap } from './boundedMap';

it('keeps at most `capacity` entries, evicting the oldest first', () => {
  const m = new BoundedMap<string, number>(3);
  for (const [k, v] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) m.set(k, v);
  expect([...m.keys()]).toEqual(['b', 'c', 'd']);
  m.set('b', 20); // update in place
  expect(m.get('b')).toBe(20);
  m.set('e', 5); // first in, first out: an update does not make 'b' younger
  expect([...m.keys()]).toEqual(['c', 'd', 'e']);
  expect(m.size).toBe(3);
});

it('keeps evicting correctly long after it is full', () => {
  const m = new BoundedMap<number, number>(100_000);
  for (let i = 0; i < 1_000_000; i++) m.set(i, i);
  expect(m.size).toBe(100_000);
  expect(m.has(999_999) && m.has(900_000) && !m.has(899_999)).toBe(true);
});
