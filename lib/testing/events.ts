/**
 * The one place tests build committed-looking events (`XrayEvent`s as the log returns them).
 * Every field has a default, so a test names only what it is about; each factory numbers its
 * events 1, 2, 3 … (`seq`, `id`), and its defaults (trace, ts and lamport schemes) are per file.
 *
 *   const ev = eventFactory({ trace_id: TRACE, ts: (seq) => 1000 + seq });
 *   ev.token('hi', { agent: 'w', span_id: S });
 *   ev.make('call.error', { agent: 'w', data: { correlation_id: 'c', code: 'boom', message: 'm', duration_ms: 3 } });
 */
import type { Attributes, EventData, EventKind, EventOf, NewEvent, XrayEvent } from '../protocol/events';

/** Envelope fields a test may set; `data` is merged over the kind's default data. */
export type EventFields<K extends EventKind = EventKind> = Partial<Omit<EventOf<K>, 'kind' | 'data'>> & { data?: Partial<EventData[K]> };

/** The older object form: the kind and data in one object, as `NewEvent` spells them. */
export type EventInput = Partial<NewEvent> & Pick<NewEvent, 'kind' | 'data'> & { seq?: number; lamport?: number };

export interface FactoryDefaults extends Partial<Omit<EventOf<EventKind>, 'kind' | 'data' | 'seq' | 'id' | 'ts' | 'lamport'>> {
  /** A fixed receive time, or one derived from the event's seq. Default: the seq. */
  ts?: number | ((seq: number) => number);
  /** A fixed lamport clock, or one derived from the seq. Default: the seq. */
  lamport?: number | ((seq: number) => number);
  /** The id of the event with this seq. Default: `e<seq>`. */
  id?: (seq: number) => string;
}

/** The smallest valid data of each kind (a `Record` over the kinds: a new kind must add its own). */
const DEFAULT_DATA: { [K in EventKind]: EventData[K] } = {
  'agent.connect': { transport: 'ws' },
  'agent.register': { transport: 'ws' },
  'agent.disconnect': { reason: 'closed' },
  'call.request': { correlation_id: 'c1', method: 'run', payload: '{}', timeout_ms: 30_000, via: 'ws' },
  'call.response': { correlation_id: 'c1', payload: '{}', duration_ms: 10 },
  'call.error': { correlation_id: 'c1', code: 'worker_error', message: 'failed', duration_ms: 10 },
  'call.timeout': { correlation_id: 'c1', timeout_ms: 30_000, duration_ms: 30_000 },
  broadcast: { payload: '{}' },
  subscribe: { transport: 'ws' },
  token: { text: 'x' },
  'span.start': { name: 'span' },
  'span.end': { status: 'ok' },
  'gate.check': { gate: 'gate', verdict: 'pass', attempt: 1, requirements: [], evidence: [] },
  'alert.transition': {
    rule: 'rule',
    key: '',
    kind: 'error_rate',
    from: 'inactive',
    to: 'pending',
    value: 1,
    threshold: 0,
    description: '',
    severity: 'warning',
    labels: [],
    summary: null,
    receivers: null,
    examples: [],
    agent: null,
    since: 0,
    at: 0,
    firing_id: null,
  },
};

const valueAt = (v: number | ((seq: number) => number), seq: number) => (typeof v === 'function' ? v(seq) : v);

export function eventFactory(defaults: FactoryDefaults = {}) {
  const { ts = (s: number) => s, lamport = (s: number) => s, id = (s: number) => `e${s}`, ...envelope } = defaults;
  let last = 0;

  /** An event of `kind`; a given `seq` is used as is and does not move the counter. */
  function make<K extends EventKind>(kind: K, fields: EventFields<K> = {}): EventOf<K> {
    const { data, ...rest } = fields;
    const seq = rest.seq ?? ++last;
    return {
      seq,
      id: id(seq),
      ts: valueAt(ts, seq),
      t: null,
      trace_id: null,
      span_id: null,
      parent_span_id: null,
      agent: 'agent',
      peer: null,
      topic: null,
      lamport: valueAt(lamport, seq),
      ...envelope,
      ...rest,
      kind,
      data: { ...DEFAULT_DATA[kind], ...data } as EventData[K],
    } as EventOf<K>;
  }

  return {
    make,
    /** The object form (`{ kind, agent, data, … }`) older tests were written in. */
    event(input: EventInput): XrayEvent {
      const { kind, data, ...rest } = input;
      return make(kind, { ...rest, data } as EventFields) as XrayEvent;
    },
    spanStart(name: string, fields: EventFields<'span.start'> = {}, attributes?: Attributes): EventOf<'span.start'> {
      return make('span.start', { ...fields, data: { name, ...(attributes ? { attributes } : {}), ...fields.data } });
    },
    spanEnd(status: 'ok' | 'error', fields: EventFields<'span.end'> = {}, attributes?: Attributes): EventOf<'span.end'> {
      return make('span.end', { ...fields, data: { status, ...(attributes ? { attributes } : {}), ...fields.data } });
    },
    token(text: string, fields: EventFields<'token'> = {}): EventOf<'token'> {
      return make('token', { ...fields, data: { text, ...fields.data } });
    },
    /** The seq of the last event numbered by this factory (0 before the first). */
    get lastSeq(): number {
      return last;
    },
    /** Numbers the next event 1 again (for a test that builds its own log from scratch). */
    reset(): void {
      last = 0;
    },
  };
}

export type EventFactory = ReturnType<typeof eventFactory>;

/** A factory with the default scheme, for tests that need no per-file defaults. */
const shared = eventFactory();
export const makeEvent = shared.make;
export const spanStart = shared.spanStart;
export const spanEnd = shared.spanEnd;
export const token = shared.token;
