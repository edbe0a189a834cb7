import { expect, it } from 'vitest';
import { parseProcStat, stealPercent } from './hostSteal';

it('reads steal and total ticks from /proc/stat and gives steal as a share of the time between two reads', () => {
  const a = parseProcStat('cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n');
  expect(a).toEqual({ steal: 35, total: 1000 });
  const b = parseProcStat('cpu  300 0 100 1445 10 0 10 135 0 0\n');
  expect(stealPercent(a, b)).toBe(10); // 100 of 1,000 ticks
  expect(stealPercent(b, b)).toBeNull();
  expect(stealPercent(null, b)).toBeNull();
  expect(parseProcStat('intr 1 2 3\n')).toBeNull();
  expect(parseProcStat('cpu  1 2 three 4 5 6 7 8\n')).toBeNull();
});
