import { expect, it } from 'vitest';
import { formatSse } from './sseHub';

it('formats one SSE event per payload, one data line per payload line', () => {
  expect(formatSse(7, '{"a":1}')).toBe('id: 7\ndata: {"a":1}\n\n');
  expect(formatSse(8, 'line1\nline2\r\nline3')).toBe('id: 8\ndata: line1\ndata: line2\ndata: line3\n\n');
  expect(formatSse(9, '')).toBe('id: 9\ndata: \n\n');
});
