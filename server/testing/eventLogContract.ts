/**
 * The contract every EventLog backend must meet (SPEC.md, "Event log contract", L1–L10). Run it
 * against a backend with `eventLogContract(name, factory)`; each test names the rule it proves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../lib/protocol/events';
import type { EventLog, StampedEvent } from '../store/eventLog';

export interface LogFactory {
  create(): EventLog | Promise<EventLog>;
  /** Closes nothing itself; opens a second handle over the same storage (null if the backend is not persistent). */
  reopen: (() => EventLog | Promise<EventLog>) | null;
  /**
   * Runs retention to completion: deletes what was received before `cutoffTs` (a trace goes as a
   * whole), raising the floor and leaving tombstones. Retention is backend upkeep, not part of the
   * interface; null if the backend has none (the L7/L8 deletion tests are then skipped).
   */
  expireBefore: ((log: EventLog, cutoffTs: number) => Promise<void>) | null;
}

const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(31) + 'c';

let n = 0;
export function ev(partial: Partial<NewEvent> & Pick<NewEvent, 'kind'>, lamport = 1): StampedEvent {
  n++;
  return {
    id: `e${n}-${Math.random().toString(36).slice(2)}`,
    ts: 1_700_000_000_000 + n,
    t: null,
    trace_id: null,
    span_id: null,
    parent_span_id: null,
    agent: 'agent-1',
    peer: null,
    topic: null,
    data: partial.kind === 'token' ? { text: 'x' } : {},
    ...partial,
    lamport,
  } as StampedEvent;
}

export function eventLogContract(name: string, factory: LogFactory): void {
  describe(`EventLog contract: ${name}`, () => {
    const open: EventLog[] = [];
    const make = async () => {
      const log = await factory.create();
      open.push(log);
      return log;
    };
    afterEach(async () => {
      for (const l of open.splice(0)) await l.close();
    });
    const seqs = async (log: EventLog, q: Parameters<EventLog['read']>[0]) => (await log.read(q)).map((e) => e.seq);
    const traceIds = async (log: EventLog, q: Parameters<EventLog['listTraces']>[0]) => (await log.listTraces(q)).map((t) => t.trace_id);

    it('[L1] starts empty and assigns strictly increasing seqs', async () => {
      const log = await make();
      expect(await log.head()).toBe(0);
      expect(await log.read({})).toEqual([]);
      const r = await log.append([ev({ kind: 'token' }), ev({ kind: 'token' }), ev({ kind: 'token' })]);
      expect(r.map((x) => x.seq)).toEqual([1, 2, 3]);
      expect(r.every((x) => !x.duplicate)).toBe(true);
      expect(await log.head()).toBe(3);
      expect((await log.append([ev({ kind: 'token' })]))[0].seq).toBe(4);
      expect(await log.append([])).toEqual([]);
      expect(await log.head()).toBe(4);
    });

    it('[L2] stores the same id once, within a batch and across batches', async () => {
      const log = await make();
      const a = ev({ kind: 'token', data: { text: 'first' } });
      const r1 = await log.append([a, { ...a, data: { text: 'second' } } as StampedEvent]);
      const r2 = await log.append([{ ...a, data: { text: 'third' } } as StampedEvent]);
      expect(r1).toEqual([
        { id: a.id, seq: 1, duplicate: false },
        { id: a.id, seq: 1, duplicate: true },
      ]);
      expect(r2).toEqual([{ id: a.id, seq: 1, duplicate: true }]);
      expect(await log.read({})).toHaveLength(1);
      expect((await log.read({}))[0].data).toEqual({ text: 'first' });
      expect(await log.seqOf(a.id)).toBe(1);
      expect(await log.seqOf('never-stored')).toBeUndefined();
      expect(await log.head()).toBe(1);
    });

    it('[L2][G4] a large batch with duplicates in it (a retry, a repeat) stores each id once, with seqs gap-free in batch order', async () => {
      const log = await make();
      const traceId = 'd'.repeat(32);
      const earlier = ev({ kind: 'token', trace_id: traceId, data: { text: 'earlier' } });
      await log.append([earlier]);
      // 100 events (more than one multi-row statement's worth): a retry of `earlier` at 40, a repeat of event 10 at 70.
      const batch = Array.from({ length: 100 }, (_, i) => ev({ kind: 'token', trace_id: traceId, data: { text: `t${i}` } }));
      batch[40] = { ...earlier };
      batch[70] = { ...batch[10], data: { text: 'repeat' } } as StampedEvent;
      const r = await log.append(batch);
      expect(r[40]).toEqual({ id: earlier.id, seq: 1, duplicate: true });
      expect(r[70]).toEqual({ id: batch[10].id, seq: r[10].seq, duplicate: true });
      const stored = r.filter((x) => !x.duplicate).map((x) => x.seq);
      expect(stored).toEqual(Array.from({ length: 98 }, (_, i) => i + 2));
      const all = await log.read({});
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
      expect(all.find((e) => e.id === batch[10].id)?.data).toEqual({ text: 't10' });
      expect((await log.listTraces({})).find((t) => t.trace_id === traceId)).toMatchObject({ events: 99, first_seq: 1, last_seq: 99 });
      // A batch of only fresh events after the fallback continues the seqs.
      const next = Array.from({ length: 64 }, () => ev({ kind: 'token' }));
      expect((await log.append(next)).map((x) => x.seq)).toEqual(Array.from({ length: 64 }, (_, i) => i + 100));
    });

    it('[L5][G3] ids are unique per sender scope: the same id from two scopes is stored twice, a repeat within a scope once; the scope never leaves in an event', async () => {
      const log = await make();
      const a = { ...ev({ kind: 'token', agent: 'alice', data: { text: 'alice' } }), id: 'shared', scope: 'anon|agent:alice' };
      const b = { ...ev({ kind: 'token', agent: 'bob', data: { text: 'bob' } }), id: 'shared', scope: 'anon|agent:bob' };
      expect(await log.append([a])).toEqual([{ id: 'shared', seq: 1, duplicate: false }]);
      expect(await log.append([b, { ...b, data: { text: 'bob again' } } as StampedEvent])).toEqual([
        { id: 'shared', seq: 2, duplicate: false },
        { id: 'shared', seq: 2, duplicate: true },
      ]);
      expect((await log.read({})).map((e) => [e.agent, e.data])).toEqual([
        ['alice', { text: 'alice' }],
        ['bob', { text: 'bob' }],
      ]);
      expect((await log.read({})).every((e) => !('scope' in e))).toBe(true);
      expect(await log.seqOf('shared', 'anon|agent:alice')).toBe(1);
      expect(await log.seqOf('shared', 'anon|agent:bob')).toBe(2);
      expect(await log.seqOf('shared')).toBeUndefined(); // unscoped ('' = server-minted) is a scope of its own
    });

    it('[L3] reads by seq range, trace, topic, agent and kind, in seq order, at most `limit`', async () => {
      const log = await make();
      await log.append([
        ev({ kind: 'token', trace_id: TRACE_A, data: { text: 'a1' } }),
        ev({ kind: 'broadcast', topic: 'swarm.health', data: { payload: '{}' } }),
        ev({ kind: 'token', trace_id: TRACE_B, agent: 'agent-2', data: { text: 'b1' } }),
        ev({ kind: 'call.request', trace_id: TRACE_A, agent: 'orch', peer: 'agent-2' } as Partial<NewEvent> & { kind: 'call.request' }),
        ev({ kind: 'broadcast', topic: 'swarm.announce', data: { payload: '{}' } }),
      ]);
      expect(await seqs(log, { after: 2, upTo: 4 })).toEqual([3, 4]);
      expect(await seqs(log, { limit: 2 })).toEqual([1, 2]);
      expect(await seqs(log, { traceId: TRACE_A })).toEqual([1, 4]);
      expect(await seqs(log, { traceId: TRACE_A, after: 1 })).toEqual([4]);
      expect(await seqs(log, { topic: 'swarm.health' })).toEqual([2]);
      expect(await seqs(log, { agent: 'agent-2' })).toEqual([3, 4]);
      expect(await seqs(log, { kinds: ['broadcast'] })).toEqual([2, 5]);
      expect(await seqs(log, { kinds: ['broadcast', 'call.request'], after: 2, limit: 1 })).toEqual([4]);
      expect(await seqs(log, { after: 5 })).toEqual([]);
      const first = (await log.read({ limit: 1 }))[0];
      expect(first).toMatchObject({ seq: 1, kind: 'token', trace_id: TRACE_A, agent: 'agent-1', lamport: 1, data: { text: 'a1' } });
    });

    it('[L3] a long range pages with `after` and `limit`: the pages add up to the whole, each once', async () => {
      const log = await make();
      for (let b = 0; b < 5; b++) await log.append(Array.from({ length: 50 }, () => ev({ kind: 'token', trace_id: b % 2 ? TRACE_A : TRACE_B })));
      const seen: number[] = [];
      for (let after = 0; ; ) {
        const page = await seqs(log, { after, traceId: TRACE_B, limit: 7 });
        expect(page.length).toBeLessThanOrEqual(7);
        if (!page.length) break;
        seen.push(...page);
        after = page[page.length - 1];
      }
      expect(seen).toEqual(await seqs(log, { traceId: TRACE_B, limit: 1000 }));
      expect(seen).toHaveLength(150);
    });

    it('[L3] what a read returns is a copy: changing it does not change the log', async () => {
      const log = await make();
      await log.append([ev({ kind: 'token', data: { text: 'kept' } })]);
      const [e] = await log.read({});
      (e.data as { text: string }).text = 'changed';
      expect((await log.read({}))[0].data).toEqual({ text: 'kept' });
    });

    it('[L4] tracks per-trace lamport maxima and trace summaries', async () => {
      const log = await make();
      await log.append([
        ev({ kind: 'call.request', trace_id: TRACE_A, agent: 'orch', peer: 'w1' } as never, 1),
        ev({ kind: 'token', trace_id: TRACE_A, agent: 'w1', data: { text: 'needle in the text' } }, 2),
        ev({ kind: 'call.error', trace_id: TRACE_A, agent: 'w1', peer: 'orch' } as never, 3),
        ev({ kind: 'token', trace_id: TRACE_B, agent: 'w2' }, 1),
      ]);
      expect(await log.maxLamport(TRACE_A)).toBe(3);
      expect(await log.maxLamport('f'.repeat(32))).toBe(0);
      const all = await log.listTraces({});
      expect(all.map((t) => t.trace_id)).toEqual([TRACE_B, TRACE_A]);
      const a = all.find((t) => t.trace_id === TRACE_A)!;
      expect(a).toMatchObject({ events: 3, errors: 1, first_seq: 1, last_seq: 3 });
      expect(a.agents.sort()).toEqual(['orch', 'w1']);
      expect(await traceIds(log, { status: 'error' })).toEqual([TRACE_A]);
      expect(await traceIds(log, { status: 'ok' })).toEqual([TRACE_B]);
      expect(await traceIds(log, { agent: 'w2' })).toEqual([TRACE_B]);
      expect(await traceIds(log, { agent: 'w' })).toEqual([]); // one agent's name, exactly
      expect(await traceIds(log, { text: 'needle' })).toEqual([TRACE_A]);
      expect(await traceIds(log, { text: '100%_' })).toEqual([]);
      expect(await traceIds(log, { limit: 1 })).toEqual([TRACE_B]);
      expect(await traceIds(log, { before: 4 })).toEqual([TRACE_A]);
      expect(await traceIds(log, { after: 3 })).toEqual([TRACE_B]);
    });

    it('[L4] a trace summary grows across batches: counts add, the time span widens, a span that ends in error counts', async () => {
      const log = await make();
      await log.append([ev({ kind: 'span.start', trace_id: TRACE_A, agent: 'a', ts: 5_000, data: { name: 's' } } as never, 4)]);
      await log.append([ev({ kind: 'token', trace_id: TRACE_B, agent: 'b', ts: 6_000 })]);
      await log.append([ev({ kind: 'span.end', trace_id: TRACE_A, agent: 'c', ts: 9_000, data: { status: 'error' } } as never, 2)]);
      const [a] = await log.listTraces({ agent: 'a' });
      expect(a).toMatchObject({ trace_id: TRACE_A, first_seq: 1, last_seq: 3, start_ts: 5_000, end_ts: 9_000, events: 2, errors: 1 });
      expect(a.agents.sort()).toEqual(['a', 'c']);
      expect(await log.maxLamport(TRACE_A)).toBe(4);
      expect(await traceIds(log, {})).toEqual([TRACE_A, TRACE_B]); // newest activity first
      expect(await traceIds(log, { since: 7_000 })).toEqual([TRACE_A]); // ended at or after
      expect(await traceIds(log, { until: 5_500 })).toEqual([TRACE_A]); // started at or before
      expect(await traceIds(log, { since: 5_500, until: 6_500 })).toEqual([TRACE_A, TRACE_B]); // overlapping the window
      expect(await traceIds(log, { until: 4_000 })).toEqual([]);
    });

    it('[L6][G6] text search matches recorded text only: not JSON keys or escapes; %, _, backslash and NUL are literal', async () => {
      const log = await make();
      const [C, D] = ['c'.repeat(32), 'd'.repeat(32)];
      await log.append([
        // Keys "status", "gen_ai.agent.name", "correlation_id", "timeout_ms" hold "status" and "_"; their values do not.
        ev({ kind: 'span.end', trace_id: TRACE_A, span_id: '1'.repeat(16), data: { status: 'ok', attributes: { 'gen_ai.agent.name': 'plain words' } } }),
        ev({ kind: 'call.request', trace_id: TRACE_B, agent: 'orch', peer: 'w1', data: { correlation_id: 'k1', method: 'plan', payload: 'say "hi"\n', timeout_ms: 1000, via: 'ws' } } as never),
        ev({ kind: 'token', trace_id: C, data: { text: '50% off_now' } }),
        ev({ kind: 'span.start', trace_id: D, span_id: '2'.repeat(16), data: { name: 'security scan', attributes: { k: 'status report', n: 42 } } }),
      ]);
      const find = async (text: string) => (await traceIds(log, { text })).sort();
      expect(await find('status')).toEqual([D]); // an attribute value, not A's key
      expect(await find('_')).toEqual([C]);
      expect(await find('%')).toEqual([C]);
      expect(await find('gen_ai')).toEqual([]); // an attribute key
      expect(await find('\\')).toEqual([]); // the JSON escapes of B's quote and newline are not recorded text
      expect(await find('"hi"')).toEqual([TRACE_B]); // the quotes as recorded (JSON holds \"hi\")
      expect(await find('\0')).toEqual([]);
      expect(await find('%\0')).toEqual([]);
      expect(await find('plain')).toEqual([TRACE_A]); // attribute value
      expect(await find('42')).toEqual([D]); // a number attribute, as recorded
      expect(await find('security')).toEqual([D]); // span name
      expect(await find('PLAN')).toEqual([TRACE_B]); // method, case-insensitive
      expect(await find('ws')).toEqual([]); // transport bookkeeping is not text
      expect(await find('dddd')).toEqual([D]); // a trace id still finds its trace
      expect(await find('DDDD')).toEqual([D]); // case-insensitive there too
      expect(await find('"hi"\n')).toEqual([TRACE_B]); // quote and newline: found without the JSON prefilter
      expect(await find('🦀')).toEqual([]);
      expect(await traceIds(log, { text: 'a', status: 'error' })).toEqual([]); // text combines with the other filters
    });

    it('[L6] a search matches inside one recorded value, whatever its length: short queries too, never across two values or two events', async () => {
      const log = await make();
      const [C, D] = ['c'.repeat(32), 'd'.repeat(32)];
      await log.append([
        ev({ kind: 'token', trace_id: TRACE_A, data: { text: 'Hello' } }),
        ev({ kind: 'token', trace_id: TRACE_A, data: { text: ' world' } }),
        ev({ kind: 'span.start', trace_id: TRACE_B, span_id: '1'.repeat(16), data: { name: 'foo', attributes: { k: 'bar', v: 'zq' } } }),
        ev({ kind: 'token', trace_id: C, data: { text: 'x"y\\z' } }),
        ev({ kind: 'token', trace_id: D, data: { text: 'the quick brown fox' } }),
      ]);
      const find = async (text: string) => (await traceIds(log, { text })).sort();
      expect(await find('hello')).toEqual([TRACE_A]);
      expect(await find('LLO')).toEqual([TRACE_A]);
      expect(await find('o w')).toEqual([]); // across two token events
      expect(await find('Hello world')).toEqual([]);
      expect(await find('foo')).toEqual([TRACE_B]);
      expect(await find('oob')).toEqual([]); // across the span name and an attribute value
      expect(await find('o\nb')).toEqual([]);
      expect(await find('ar\nz')).toEqual([]); // across two attribute values
      expect(await find('zq')).toEqual([TRACE_B]); // two characters
      expect(await find('q')).toEqual([TRACE_B, D]); // one character
      expect(await find('"y\\')).toEqual([C]); // quote and backslash as recorded
      expect(await find('ck brown f')).toEqual([D]); // inside a value
      expect(await find('quick fox')).toEqual([]); // every word present, not as a substring
    });

    it.runIf(factory.expireBefore !== null)('[L6][L8] after retention deleted a trace its text finds nothing; the same trace id recorded again is found by its new text only', async () => {
      const log = await make();
      await log.append([
        ev({ kind: 'token', trace_id: TRACE_A, ts: 1_000, data: { text: 'old secret words' } }),
        ev({ kind: 'token', trace_id: TRACE_B, ts: 5_000, data: { text: 'kept words' } }),
      ]);
      await factory.expireBefore!(log, 2_000);
      expect(await traceIds(log, { text: 'secret' })).toEqual([]);
      expect(await traceIds(log, { text: 'words' })).toEqual([TRACE_B]);
      await log.append([ev({ kind: 'token', trace_id: TRACE_A, ts: 6_000, data: { text: 'new text' } })]);
      expect(await traceIds(log, { text: 'secret' })).toEqual([]);
      expect(await traceIds(log, { text: 'new text' })).toEqual([TRACE_A]);
    });

    it('[L10] an append is all or nothing: a batch with an event the log cannot store is refused whole, and the log goes on', async () => {
      const log = await make();
      await log.append([ev({ kind: 'token', trace_id: TRACE_A }, 3)]);
      const good = ev({ kind: 'token', trace_id: TRACE_A }, 4);
      const bad = { ...ev({ kind: 'token', trace_id: TRACE_B }), agent: null as unknown as string }; // NOT NULL
      await expect(log.append([good, bad])).rejects.toThrow();
      expect(await log.head()).toBe(1);
      expect(await seqs(log, {})).toEqual([1]);
      expect(await log.seqOf(good.id)).toBeUndefined();
      expect(await log.maxLamport(TRACE_A)).toBe(3);
      expect(await traceIds(log, {})).toEqual([TRACE_A]);
      const [again] = await log.append([good]);
      expect(again.duplicate).toBe(false);
      expect(again.seq).toBeGreaterThan(1); // a backend may leave a gap; never a seq at or below the head
      expect(await seqs(log, {})).toEqual([1, again.seq]);
    });

    it('[L7] a log nothing was deleted from has floor 0 and its oldest seq is the first one (head + 1 when empty)', async () => {
      const log = await make();
      expect(await log.floor()).toBe(0);
      expect(await log.oldestSeq()).toBe(1);
      await log.append([ev({ kind: 'token' }), ev({ kind: 'token' })]);
      expect(await log.floor()).toBe(0);
      expect(await log.oldestSeq()).toBe(1);
      expect(await log.isExpiredTrace(TRACE_A)).toBe(false);
    });

    it.runIf(factory.expireBefore !== null)('[L8] retention deletes what ended before the cutoff, a trace as a whole: the floor rises past it, the oldest seq moves up, the deleted trace is remembered as expired', async () => {
      const log = await make();
      const LIVE = 'e'.repeat(32);
      await log.append([
        ev({ kind: 'token', trace_id: TRACE_A, ts: 1_000 }), // 1: ended before the cutoff
        ev({ kind: 'token', trace_id: LIVE, ts: 1_100 }), // 2: its trace goes on past the cutoff
        ev({ kind: 'broadcast', topic: 'swarm.health', ts: 1_200, data: { payload: '{}' } }), // 3: no trace
        ev({ kind: 'token', trace_id: TRACE_A, ts: 1_300 }), // 4
        ev({ kind: 'token', trace_id: LIVE, ts: 5_000 }), // 5: after the cutoff
        ev({ kind: 'token', trace_id: TRACE_B, ts: 6_000 }), // 6
      ]);
      await factory.expireBefore!(log, 2_000);
      expect(await log.floor()).toBe(4);
      expect(await seqs(log, {})).toEqual([2, 5, 6]); // never half of LIVE
      expect(await log.oldestSeq()).toBe(2);
      expect(await log.head()).toBe(6);
      expect(await log.isExpiredTrace(TRACE_A)).toBe(true);
      expect(await log.isExpiredTrace(LIVE)).toBe(false);
      expect(await traceIds(log, {})).toEqual([TRACE_B, LIVE]);
      expect(await log.maxLamport(TRACE_A)).toBe(0);
      // Seqs are never reused after a deletion.
      expect((await log.append([ev({ kind: 'token', ts: 7_000 })]))[0].seq).toBe(7);
      // Once LIVE ends before a later cutoff, it goes too.
      await factory.expireBefore!(log, 6_500);
      expect(await seqs(log, {})).toEqual([7]);
      expect(await log.isExpiredTrace(LIVE)).toBe(true);
      expect(await log.oldestSeq()).toBe(7);
    });

    it.runIf(factory.expireBefore !== null)('[L8] everything deleted: the oldest seq is head + 1', async () => {
      const log = await make();
      await log.append([ev({ kind: 'token', ts: 1_000 }), ev({ kind: 'token', ts: 1_001 })]);
      await factory.expireBefore!(log, 2_000);
      expect(await log.read({})).toEqual([]);
      expect(await log.floor()).toBe(2);
      expect(await log.oldestSeq()).toBe(3);
      expect(await log.head()).toBe(2);
    });

    it.runIf(factory.reopen !== null)('[L9][L4] keeps everything after close and reopen, and continues the seq', async () => {
      const log = await make();
      const first = ev({ kind: 'token', trace_id: TRACE_A }, 7);
      await log.append([first, ev({ kind: 'token' })]);
      await log.close();
      const again = await factory.reopen!();
      open.push(again);
      expect(await again.head()).toBe(2);
      expect((await again.read({})).map((e) => e.id)[0]).toBe(first.id);
      expect(await again.maxLamport(TRACE_A)).toBe(7);
      expect((await again.append([first]))[0]).toEqual({ id: first.id, seq: 1, duplicate: true });
      expect((await again.append([ev({ kind: 'token' })]))[0].seq).toBe(3);
    });
  });
}
