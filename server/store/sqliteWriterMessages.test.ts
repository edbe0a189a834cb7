import { expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { decodeResults, encodeResults } from './sqliteWriterMessages';

it('[L2] results cross the thread boundary as seqs, a duplicate negated, and come back with the ids sent', () => {
  const events = [ev({ kind: 'token', id: 'a' }), ev({ kind: 'token', id: 'b' }), ev({ kind: 'token', id: 'a' })];
  const results = [
    { id: 'a', seq: 7, duplicate: false },
    { id: 'b', seq: 8, duplicate: false },
    { id: 'a', seq: 7, duplicate: true },
  ];
  const seqs = encodeResults(results);
  expect([...seqs]).toEqual([7, 8, -7]);
  expect(decodeResults(events, seqs)).toEqual(results);
});

it('[L1] refuses an answer that does not match the batch sent', () => {
  expect(() => decodeResults([ev({ kind: 'token', id: 'a' })], new Float64Array([1, 2]))).toThrow(/2 results for 1 events/);
});
