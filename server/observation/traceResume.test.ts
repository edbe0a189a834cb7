import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { traceQuietBetween } from './traceResume';

const T = 'a'.repeat(32);
const S = '5'.repeat(16);

describe('traceQuietBetween (a trace stream resumed from before the fanout window)', () => {
  it('[G4] is true only when the trace has no event in (after, upTo]: other traces do not count, its own do', async () => {
    const log = SqliteEventLog.inMemory();
    await log.append([ev({ kind: 'token', trace_id: T, span_id: S })]);
    const last = (await log.head());
    await log.append(Array.from({ length: 50 }, () => ev({ kind: 'token', trace_id: 'b'.repeat(32), span_id: S })));
    expect(await traceQuietBetween(log, T, last, (await log.head()))).toBe(true);
    await log.append([ev({ kind: 'token', trace_id: T, span_id: S })]);
    const grown = (await log.head());
    await log.append([ev({ kind: 'token', trace_id: 'b'.repeat(32), span_id: S })]);
    expect(await traceQuietBetween(log, T, last, (await log.head()))).toBe(false);
    // Up to just before the trace's new event it was quiet; from that event on it is not.
    expect(await traceQuietBetween(log, T, last, grown - 1)).toBe(true);
    expect(await traceQuietBetween(log, T, grown, (await log.head()))).toBe(true);
    expect(await traceQuietBetween(log, T, (await log.head()), (await log.head()))).toBe(true);
  });
});
