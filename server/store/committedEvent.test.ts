import { expect, it } from 'vitest';
import { frameToEvent } from '../relay/frameEvents';
import { committedEvent } from './committedEvent';
import type { StampedEvent } from './eventLog';

const stamped = (frame: Parameters<typeof frameToEvent>[0], scope?: string): StampedEvent => ({ ...frameToEvent(frame, 'writer', 1_700_000_000_000, () => undefined, scope), lamport: 7 });

it('[G4] copies every envelope field, adds the seq, and leaves the sender’s idempotency scope in the store', () => {
  const e = committedEvent(stamped({ type: 'token', id: 'tok-1', text: 'hi', trace_id: 'ab'.repeat(16), t: 5 }, 'agent-key-1'), 42);
  expect(e).toStrictEqual({ seq: 42, id: 'tok-1', ts: 1_700_000_000_000, t: 5, kind: 'token', trace_id: 'ab'.repeat(16), span_id: null, parent_span_id: null, agent: 'writer', peer: null, topic: null, lamport: 7, data: { text: 'hi' } });
  expect('scope' in e).toBe(false);
});

it('gives events built through different spreads the same keys in the same order (one hidden class in V8)', () => {
  const withScope = committedEvent(stamped({ type: 'token', id: 'a', text: 'x' }, 'k'), 1);
  const minted = committedEvent(stamped({ type: 'token', text: 'y', t: 3 }), 2);
  const span = committedEvent(stamped({ type: 'span.start', trace_id: 'cd'.repeat(16), span_id: 'ef'.repeat(8), name: 'plan' }), 3);
  expect(Object.keys(withScope)).toEqual(Object.keys(minted));
  expect(Object.keys(span)).toEqual(Object.keys(minted));
});
