import { describe, expect, it } from 'vitest';
import { fastAgentMessage, fastTokenBatch, fastTokenFrame } from './fastFrames';
import { LIMITS } from './limits';
import { agentToRelay } from './relay';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** Valid token frames of every optional-field combination the hot path must take. */
const validTokens: Record<string, unknown>[] = [
  { type: 'token', text: 'hi' },
  { type: 'token', text: '' },
  { type: 'token', id: 'a-1', text: ' tok' },
  { type: 'token', id: 'x'.repeat(128), text: 'x'.repeat(LIMITS.tokenTextChars) },
  { type: 'token', id: 'a', trace_id: TRACE, span_id: SPAN, index: 0, text: 'é🙂', t: 1_700_000_000_000, ack: true },
  { type: 'token', correlation_id: 'c-1', text: 'w', ack: false, t: 0, index: 12 },
];

/** Each entry breaks one field; the schema must refuse it or (where zod strips/accepts) agree with the fast path. */
const fieldBreaks: [string, unknown][] = [
  ['type', 'tokens'],
  ['type', 1],
  ['text', 5],
  ['text', null],
  ['text', 'x'.repeat(LIMITS.tokenTextChars + 1)],
  ['id', ''],
  ['id', 'x'.repeat(129)],
  ['id', 7],
  ['trace_id', '0'.repeat(32)],
  ['trace_id', TRACE.toUpperCase()],
  ['trace_id', TRACE + '0'],
  ['span_id', '0'.repeat(16)],
  ['span_id', 'zz' + SPAN.slice(2)],
  ['correlation_id', ''],
  ['correlation_id', 'c'.repeat(129)],
  ['index', -1],
  ['index', 1.5],
  ['index', 2 ** 60],
  ['index', '3'],
  ['t', -1],
  ['t', '1'],
  ['t', null],
  ['ack', 'yes'],
  ['ack', 1],
  ['extra', 'zod strips unknown keys'],
  ['__proto__', { polluted: true }],
];

/** The contract: whenever the fast path answers, zod accepts the same input and returns an equal value. */
function expectAgreesWithSchema(input: unknown): unknown {
  const fast = fastAgentMessage(input);
  const schema = agentToRelay.safeParse(input);
  if (fast !== undefined) {
    expect(schema.success, JSON.stringify(input)?.slice(0, 200)).toBe(true);
    expect(fast).toEqual(schema.data);
  }
  return fast;
}

/** As the relay gets it: from JSON text (own `__proto__` keys, no undefined values). */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('fast token frames agree with the schema (the schema is the contract)', () => {
  it('takes every valid single token frame, with the value zod returns', () => {
    for (const f of validTokens) expect(expectAgreesWithSchema(wire(f)), JSON.stringify(f).slice(0, 80)).toBeDefined();
  });

  it('takes valid token batches of 1 to framesPerBatch frames, acked or not', () => {
    for (const n of [1, 2, 50, LIMITS.framesPerBatch]) {
      const frames = Array.from({ length: n }, (_, i) => validTokens[i % validTokens.length]);
      expect(expectAgreesWithSchema(wire({ type: 'frames', frames }))).toBeDefined();
      expect(expectAgreesWithSchema(wire({ type: 'frames', frames, ack: true }))).toBeDefined();
    }
  });

  it('never answers for a broken field: the schema decides (and refuses)', () => {
    for (const base of validTokens) {
      for (const [key, value] of fieldBreaks) {
        const single = wire(base) as Record<string, unknown>;
        if (key === '__proto__') Object.defineProperty(single, key, { value, enumerable: true, configurable: true, writable: true });
        else single[key] = value;
        expect(fastTokenFrame(single), `${key}=${JSON.stringify(value)?.slice(0, 40)}`).toBeUndefined();
        expectAgreesWithSchema(single);
        // The same broken frame anywhere in a batch sends the whole batch to the schema.
        const batch = { type: 'frames', frames: [validTokens[0], single, validTokens[1]] };
        expect(fastTokenBatch(batch)).toBeUndefined();
        expectAgreesWithSchema(batch);
      }
    }
  });

  it('leaves every other shape to the schema: span frames, empty or oversized batches, other messages, non-objects', () => {
    const others: unknown[] = [
      { type: 'span.start', trace_id: TRACE, span_id: SPAN, name: 'n' },
      { type: 'frames', frames: [] },
      { type: 'frames', frames: Array.from({ length: LIMITS.framesPerBatch + 1 }, () => validTokens[0]) },
      { type: 'frames', frames: [validTokens[0], { type: 'span.end', trace_id: TRACE, span_id: SPAN }] },
      { type: 'frames', frames: [validTokens[0]], ack: 'y' },
      { type: 'frames', frames: 'no' },
      { type: 'frames', frames: [validTokens[0]], extra: 1 },
      { type: 'register', name: 'a' },
      { type: 'broadcast', topic: 't', payload: 'p' },
      null,
      [],
      'token',
      42,
      [{ type: 'token', text: 'x' }],
    ];
    for (const o of others) {
      expect(fastAgentMessage(wire(o) ?? o), JSON.stringify(o)?.slice(0, 60)).toBeUndefined();
      expectAgreesWithSchema(o);
    }
  });
});
