/**
 * The contract every EventLog backend must meet. Run it against a backend with
 * `eventLogContract(name, factory)`; `reopen` must return a log over the same storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../lib/protocol/events';
import type { EventLog, StampedEvent } from './eventLog';

export interface LogFactory {
  create(): EventLog;
  /** Closes nothing itself; opens a second handle over the same storage (null if the backend is not persistent). */
  reopen: (() => EventLog) | null;
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
    const make = () => {
      const log = factory.create();
      open.push(log);
      return log;
    };
    afterEach(() => {
      for (const l of open.splice(0)) l.close();
    });

    it('starts empty and assigns strictly increasing seqs', () => {
      const log = make();
      expect(log.head()).toBe(0);
      const r = log.append([ev({ kind: 'token' }), ev({ kind: 'token' }), ev({ kind: 'token' })]);
      expect(r.map((x) => x.seq)).toEqual([1, 2, 3]);
      expect(r.every((x) => !x.duplicate)).toBe(true);
      expect(log.head()).toBe(3);
    });

    it('stores the same id once, within a batch and across batches', () => {
      const log = make();
      const a = ev({ kind: 'token', data: { text: 'first' } });
      const r1 = log.append([a, { ...a, data: { text: 'second' } } as StampedEvent]);
      const r2 = log.append([{ ...a, data: { text: 'third' } } as StampedEvent]);
      expect(r1).toEqual([
        { id: a.id, seq: 1, duplicate: false },
        { id: a.id, seq: 1, duplicate: true },
      ]);
      expect(r2).toEqual([{ id: a.id, seq: 1, duplicate: true }]);
      expect(log.read({})).toHaveLength(1);
      expect(log.read({})[0].data).toEqual({ text: 'first' });
      expect(log.seqOf(a.id)).toBe(1);
      expect(log.head()).toBe(1);
    });

    it('[G3] ids are unique per sender scope: the same id from two scopes is stored twice, a repeat within a scope once; the scope never leaves in an event', () => {
      const log = make();
      const a = { ...ev({ kind: 'token', agent: 'alice', data: { text: 'alice' } }), id: 'shared', scope: 'anon|agent:alice' };
      const b = { ...ev({ kind: 'token', agent: 'bob', data: { text: 'bob' } }), id: 'shared', scope: 'anon|agent:bob' };
      expect(log.append([a])).toEqual([{ id: 'shared', seq: 1, duplicate: false }]);
      expect(log.append([b, { ...b, data: { text: 'bob again' } } as StampedEvent])).toEqual([
        { id: 'shared', seq: 2, duplicate: false },
        { id: 'shared', seq: 2, duplicate: true },
      ]);
      expect(log.read({}).map((e) => [e.agent, e.data])).toEqual([
        ['alice', { text: 'alice' }],
        ['bob', { text: 'bob' }],
      ]);
      expect(log.read({}).every((e) => !('scope' in e))).toBe(true);
      expect(log.seqOf('shared', 'anon|agent:alice')).toBe(1);
      expect(log.seqOf('shared', 'anon|agent:bob')).toBe(2);
      expect(log.seqOf('shared')).toBeUndefined(); // unscoped ('' = server-minted) is a scope of its own
    });

    it('reads by seq range, trace, topic, agent and kind', () => {
      const log = make();
      log.append([
        ev({ kind: 'token', trace_id: TRACE_A, data: { text: 'a1' } }),
        ev({ kind: 'broadcast', topic: 'swarm.health', data: { payload: '{}' } }),
        ev({ kind: 'token', trace_id: TRACE_B, agent: 'agent-2', data: { text: 'b1' } }),
        ev({ kind: 'call.request', trace_id: TRACE_A, agent: 'orch', peer: 'agent-2' } as Partial<NewEvent> & { kind: 'call.request' }),
        ev({ kind: 'broadcast', topic: 'swarm.announce', data: { payload: '{}' } }),
      ]);
      expect(log.read({ after: 2, upTo: 4 }).map((e) => e.seq)).toEqual([3, 4]);
      expect(log.read({ limit: 2 }).map((e) => e.seq)).toEqual([1, 2]);
      expect(log.read({ traceId: TRACE_A }).map((e) => e.seq)).toEqual([1, 4]);
      expect(log.read({ traceId: TRACE_A, after: 1 }).map((e) => e.seq)).toEqual([4]);
      expect(log.read({ topic: 'swarm.health' }).map((e) => e.seq)).toEqual([2]);
      expect(log.read({ agent: 'agent-2' }).map((e) => e.seq)).toEqual([3, 4]);
      expect(log.read({ kinds: ['broadcast'] }).map((e) => e.seq)).toEqual([2, 5]);
      const first = log.read({ limit: 1 })[0];
      expect(first).toMatchObject({ seq: 1, kind: 'token', trace_id: TRACE_A, agent: 'agent-1', lamport: 1, data: { text: 'a1' } });
    });

    it('tracks per-trace lamport maxima and trace summaries', () => {
      const log = make();
      log.append([
        ev({ kind: 'call.request', trace_id: TRACE_A, agent: 'orch', peer: 'w1' } as never, 1),
        ev({ kind: 'token', trace_id: TRACE_A, agent: 'w1', data: { text: 'needle in the text' } }, 2),
        ev({ kind: 'call.error', trace_id: TRACE_A, agent: 'w1', peer: 'orch' } as never, 3),
        ev({ kind: 'token', trace_id: TRACE_B, agent: 'w2' }, 1),
      ]);
      expect(log.maxLamport(TRACE_A)).toBe(3);
      expect(log.maxLamport('f'.repeat(32))).toBe(0);
      const all = log.listTraces({});
      expect(all.map((t) => t.trace_id)).toEqual([TRACE_B, TRACE_A]);
      const a = all.find((t) => t.trace_id === TRACE_A)!;
      expect(a).toMatchObject({ events: 3, errors: 1, first_seq: 1, last_seq: 3 });
      expect(a.agents.sort()).toEqual(['orch', 'w1']);
      expect(log.listTraces({ status: 'error' }).map((t) => t.trace_id)).toEqual([TRACE_A]);
      expect(log.listTraces({ status: 'ok' }).map((t) => t.trace_id)).toEqual([TRACE_B]);
      expect(log.listTraces({ agent: 'w2' }).map((t) => t.trace_id)).toEqual([TRACE_B]);
      expect(log.listTraces({ text: 'needle' }).map((t) => t.trace_id)).toEqual([TRACE_A]);
      expect(log.listTraces({ text: '100%_' })).toEqual([]);
      expect(log.listTraces({ limit: 1 }).map((t) => t.trace_id)).toEqual([TRACE_B]);
      expect(log.listTraces({ before: 4 }).map((t) => t.trace_id)).toEqual([TRACE_A]);
    });

    it('[G6] text search matches recorded text only: not JSON keys or escapes; %, _, backslash and NUL are literal', () => {
      const log = make();
      const [C, D] = ['c'.repeat(32), 'd'.repeat(32)];
      log.append([
        // Keys "status", "gen_ai.agent.name", "correlation_id", "timeout_ms" hold "status" and "_"; their values do not.
        ev({ kind: 'span.end', trace_id: TRACE_A, span_id: '1'.repeat(16), data: { status: 'ok', attributes: { 'gen_ai.agent.name': 'plain words' } } }),
        ev({ kind: 'call.request', trace_id: TRACE_B, agent: 'orch', peer: 'w1', data: { correlation_id: 'k1', method: 'plan', payload: 'say "hi"\n', timeout_ms: 1000, via: 'ws' } } as never),
        ev({ kind: 'token', trace_id: C, data: { text: '50% off_now' } }),
        ev({ kind: 'span.start', trace_id: D, span_id: '2'.repeat(16), data: { name: 'security scan', attributes: { k: 'status report', n: 42 } } }),
      ]);
      const find = (text: string) => log.listTraces({ text }).map((t) => t.trace_id).sort();
      expect(find('status')).toEqual([D]); // an attribute value, not A's key
      expect(find('_')).toEqual([C]);
      expect(find('%')).toEqual([C]);
      expect(find('gen_ai')).toEqual([]); // an attribute key
      expect(find('\\')).toEqual([]); // the JSON escapes of B's quote and newline are not recorded text
      expect(find('"hi"')).toEqual([TRACE_B]); // the quotes as recorded (JSON holds \"hi\")
      expect(find('\0')).toEqual([]);
      expect(find('%\0')).toEqual([]);
      expect(find('plain')).toEqual([TRACE_A]); // attribute value
      expect(find('42')).toEqual([D]); // a number attribute, as recorded
      expect(find('security')).toEqual([D]); // span name
      expect(find('PLAN')).toEqual([TRACE_B]); // method, case-insensitive
      expect(find('ws')).toEqual([]); // transport bookkeeping is not text
      expect(find('dddd')).toEqual([D]); // a trace id still finds its trace
      expect(find('"hi"\n')).toEqual([TRACE_B]); // quote and newline: found without the JSON prefilter
      expect(find('🦀')).toEqual([]);
    });

    it.runIf(factory.reopen !== null)('keeps everything after close and reopen, and continues the seq', () => {
      const log = make();
      const first = ev({ kind: 'token', trace_id: TRACE_A }, 7);
      log.append([first, ev({ kind: 'token' })]);
      log.close();
      const again = factory.reopen!();
      open.push(again);
      expect(again.head()).toBe(2);
      expect(again.read({}).map((e) => e.id)[0]).toBe(first.id);
      expect(again.maxLamport(TRACE_A)).toBe(7);
      expect(again.append([first])[0]).toEqual({ id: first.id, seq: 1, duplicate: true });
      expect(again.append([ev({ kind: 'token' })])[0].seq).toBe(3);
    });
  });
}
