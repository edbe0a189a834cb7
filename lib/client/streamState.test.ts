import { describe, expect, it } from 'vitest';
import type { Delta, Snapshot } from '../protocol/dashboard';
import { HOSTILE_NAMES, prototypeIsClean } from '../testing/hostileNames';
import { applyStreamDelta, applyStreamSnapshot, emptyStream, streamFrom } from './streamState';

const T = 'a'.repeat(32);
const snap: Extract<Snapshot, { kind: 'stream' }> = { sub: 'agent:w', kind: 'stream', seq: 5, scope: { kind: 'agent', name: 'w' }, truncated: false, text: [[T, 's1', 'w', 'Hel', 2]], events: [] };
const delta = (from: number, to: number, text: Extract<Delta, { kind: 'stream' }>['text']): Extract<Delta, { kind: 'stream' }> => ({ sub: 'agent:w', kind: 'stream', from, to, text, events: [] });

describe('stream state', () => {
  it('grows span text across contiguous deltas', () => {
    let s = applyStreamSnapshot(emptyStream, snap);
    s = applyStreamDelta(s, delta(6, 9, [[T, 's1', 'w', 'lo', 1], [T, 's2', 'w', 'New', 1]])).state;
    expect(s.spans.get(`${T}/s1/w`)!.text).toBe('Hello');
    expect(s.order).toEqual([`${T}/s1/w`, `${T}/s2/w`]);
    expect(s.tokens).toBe(4);
    expect(s.seq).toBe(9);
  });
  it('refuses a gap or a replay without touching the text', () => {
    const s = applyStreamSnapshot(emptyStream, snap);
    const gap = applyStreamDelta(s, delta(7, 9, [[T, 's1', 'w', 'X', 1]]));
    expect(gap.gap).toBe(true);
    expect(gap.state.spans.get(`${T}/s1/w`)!.text).toBe('Hel');
    const once = applyStreamDelta(s, delta(6, 6, [[T, 's1', 'w', 'l', 1]])).state;
    expect(applyStreamDelta(once, delta(6, 6, [[T, 's1', 'w', 'l', 1]])).gap).toBe(true);
  });
});

describe('a stream that continues from a seq (the trace page: text up to it loaded over REST)', () => {
  it('[G4] holds only what follows its origin, accepts the next contiguous delta and refuses a gap', () => {
    let s = streamFrom(40);
    expect(s.origin).toBe(40);
    expect(s.seq).toBe(40);
    const next = applyStreamDelta(s, delta(41, 45, [[T, 's1', 'w', ' more', 2]]));
    expect(next.gap).toBe(false);
    s = next.state;
    expect(s.spans.get(`${T}/s1/w`)!.text).toBe(' more');
    expect(s.tokens).toBe(2);
    expect(s.origin).toBe(40);
    expect(applyStreamDelta(streamFrom(40), delta(43, 45, [])).gap).toBe(true);
  });
  it('[G4] a snapshot (a resync) replaces it with the whole scope: origin 0', () => {
    const s = applyStreamSnapshot(streamFrom(40), { ...snap, seq: 50 });
    expect(s.origin).toBe(0);
    expect(s.spans.get(`${T}/s1/w`)!.text).toBe('Hel');
  });
});

describe('[G6] hostile agent names', () => {
  it('keeps one span per hostile agent, text whole, in first-seen order', () => {
    const runs = HOSTILE_NAMES.map((n): [string, string, string, string, number] => [T, 's1', n, `text of ${n}`, 1]);
    let s = applyStreamSnapshot(emptyStream, { ...snap, text: runs });
    s = applyStreamDelta(s, delta(6, 6, runs.map(([t, sp, n]) => [t, sp, n, '!', 1]))).state;
    expect(s.spans.size).toBe(HOSTILE_NAMES.length);
    for (const n of HOSTILE_NAMES) expect(s.spans.get(`${T}/s1/${n}`)).toMatchObject({ agent: n, text: `text of ${n}!`, tokens: 2 });
    expect(s.order).toEqual(HOSTILE_NAMES.map((n) => `${T}/s1/${n}`));
    expect(s.tokens).toBe(2 * HOSTILE_NAMES.length);
    expect(prototypeIsClean()).toBe(true);
  });
});
