import { describe, expect, it } from 'vitest';
import { ev } from '../testing/eventLogContract';
import { SqliteEventLog } from '../store/sqliteEventLog';
import { searchTraces } from './traceRoutes';

const traceId = (i: number) => i.toString(16).padStart(32, '0');

describe('trace text search in bounded steps [G6]', () => {
  it('[G6] a search the index cannot answer (under 3 characters) answers after a bounded scan with next_before, and continuing finds the rest', async () => {
    const log = SqliteEventLog.inMemory();
    // 100 traces of 2 events; only the oldest mentions the needle.
    for (let i = 1; i <= 100; i++) (await log.append([ev({ kind: 'broadcast', trace_id: traceId(i), topic: 't', data: { payload: i === 1 ? 'needle zq' : 'hay' } }), ev({ kind: 'token', trace_id: traceId(i) })]));
    const q = { text: 'zq', limit: 10 };
    const first = await searchTraces(log, q, { step: 20, max: 60 });
    expect(first.traces).toEqual([]);
    expect(first.next_before).toBe(201 - 60);
    let before: number | null = first.next_before;
    const found: string[] = [];
    for (let n = 0; before !== null && n < 10; n++) {
      const page = await searchTraces(log, { ...q, before }, { step: 20, max: 60 });
      found.push(...page.traces.map((t) => t.trace_id));
      before = page.next_before;
    }
    expect(found).toEqual([traceId(1)]);
    expect(before).toBeNull();
    await log.close();
  });

  it('[L6] an indexed search with few hits finds a match anywhere in the log in one step, and pages on with next_before', async () => {
    const log = SqliteEventLog.inMemory();
    for (let i = 1; i <= 100; i++) await log.append([ev({ kind: 'token', trace_id: traceId(i), data: { text: i % 40 === 1 ? 'a Needle here' : 'hay' } })]);
    const bounds = { step: 20, max: 60 }; // the windowed scan would stop after 60 seqs
    const first = await searchTraces(log, { text: 'needle', limit: 2 }, bounds);
    expect(first.traces.map((t) => t.trace_id)).toEqual([traceId(81), traceId(41)]);
    expect(first.next_before).toBe(41);
    const rest = await searchTraces(log, { text: 'needle', limit: 2, before: first.next_before! }, bounds);
    expect(rest.traces.map((t) => t.trace_id)).toEqual([traceId(1)]);
    expect(rest.next_before).toBeNull();
    expect((await searchTraces(log, { text: 'nothing like it', limit: 2 }, bounds)).next_before).toBeNull(); // the whole log, at once
    await log.close();
  });
});
