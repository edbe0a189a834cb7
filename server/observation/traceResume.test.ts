import { describe, expect, it } from 'vitest';
import { ev } from '../store/eventLog.contract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { traceQuietBetween } from './traceResume';

const T = 'a'.repeat(32);
const S = '5'.repeat(16);

describe('traceQuietBetween (a trace stream resumed from before the fanout window)', () => {
  it('[G4] is true only when the trace has no event in (after, upTo]: other traces do not count, its own do', async () => {
    const log = SqliteEventLog.inMemory();
    log.append([ev({ kind: 'token', trace_id: T, span_id: S })]);
    const last = log.head();
    log.append(Array.from({ length: 50 }, () => ev({ kind: 'token', trace_id: 'b'.repeat(32), span_id: S })));
    expect(await traceQuietBetween(log, T, last, log.head())).toBe(true);
    log.append([ev({ kind: 'token', trace_id: T, span_id: S })]);
    const grown = log.head();
    log.append([ev({ kind: 'token', trace_id: 'b'.repeat(32), span_id: S })]);
    expect(await traceQuietBetween(log, T, last, log.head())).toBe(false);
    // Up to just before the trace's new event it was quiet; from that event on it is not.
    expect(await traceQuietBetween(log, T, last, grown - 1)).toBe(true);
    expect(await traceQuietBetween(log, T, grown, log.head())).toBe(true);
    expect(await traceQuietBetween(log, T, log.head(), log.head())).toBe(true);
  });
});
