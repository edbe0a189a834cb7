import { expect, it } from 'vitest';
import { GenerationalMap } from './generationalMap';

it('[G3] remembers at least the newest capacity/2 keys and at most capacity', () => {
  const m = new GenerationalMap<number, number>(1000);
  for (let i = 0; i < 100_000; i++) {
    m.set(i, i * 2);
    expect(m.size).toBeLessThanOrEqual(1000);
  }
  for (let i = 100_000 - 500; i < 100_000; i++) expect(m.get(i)).toBe(i * 2);
  expect(m.get(100_000 - 1001)).toBeUndefined();
  expect(m.get(0)).toBeUndefined();
});

it('[G3] an update shadows the old generation and survives its drop', () => {
  const m = new GenerationalMap<string, number>(4);
  m.set('a', 1);
  m.set('b', 2); // young is full (2): a, b become old
  m.set('a', 10); // young: a=10
  expect(m.get('a')).toBe(10);
  m.set('c', 3); // young full again: {a: 10, c: 3} old, {a: 1, b: 2} dropped
  expect(m.get('a')).toBe(10);
  expect(m.get('b')).toBeUndefined();
  expect(m.get('c')).toBe(3);
});

it('[G3] refuses a capacity that cannot hold two generations', () => {
  expect(() => new GenerationalMap(1)).toThrow(RangeError);
  expect(() => new GenerationalMap(2.5)).toThrow(RangeError);
});
