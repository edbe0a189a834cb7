import { expect, it } from 'vitest';
import { buildReplayIndex, textLengthAt } from './replay';

it('answers how much text each node had at a playhead time', () => {
  const idx = buildReplayIndex(
    [
      ['a', 100, 3],
      ['b', 120, 5],
      ['a', 150, 2],
      ['a', 140, 4], // a clock step backwards: treated as 150
    ],
    90,
    200,
  );
  expect(idx.start).toBe(90);
  expect(idx.end).toBe(200);
  expect(textLengthAt(idx, 'a', 99)).toBe(0);
  expect(textLengthAt(idx, 'a', 100)).toBe(3);
  expect(textLengthAt(idx, 'a', 149)).toBe(3);
  expect(textLengthAt(idx, 'a', 150)).toBe(9);
  expect(textLengthAt(idx, 'b', 1000)).toBe(5);
  expect(textLengthAt(idx, 'missing', 1000)).toBe(0);
});
