import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RelayToAgent } from '../../lib/protocol/relay';
import { AckCoalescer, MAX_IDS_PER_ACK } from './ackCoalescer';

/** A coalescer whose sends are recorded; `turn()` lets its microtasks run. */
function coalescer(holdMs: number) {
  const sent: RelayToAgent[] = [];
  const acks = new AckCoalescer((m) => sent.push(m), holdMs);
  return { acks, sent, turn: () => Promise.resolve() };
}

const nack = (ids: string[]) => ({ type: 'nack', ids, code: 'storage_unavailable', reason: 'disk full' }) as const;

afterEach(() => vi.useRealTimers());

describe('AckCoalescer', () => {
  it('[R10] acks handed out by one commit leave as one ack, after the commit’s callbacks, never before', async () => {
    const { acks, sent, turn } = coalescer(0);
    for (let i = 0; i < 3; i++) acks.expect();
    acks.ack(['a']);
    acks.ack(['b', 'c']);
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([{ type: 'ack', ids: ['a', 'b', 'c'] }]);
  });

  it('[R10] with no hold, an ack is never held for the connection’s later messages', async () => {
    const { acks, sent, turn } = coalescer(0);
    acks.expect();
    acks.expect();
    acks.ack(['a']);
    await turn();
    expect(sent).toEqual([{ type: 'ack', ids: ['a'] }]);
  });

  it('[R10] an ack waits for the connection’s other in-flight acked messages and leaves the moment none is owed', async () => {
    vi.useFakeTimers();
    const { acks, sent, turn } = coalescer(50);
    for (let i = 0; i < 3; i++) acks.expect();
    acks.ack(['a']); // two more owed: held
    await turn();
    acks.ack(['b']); // one more owed: held
    await turn();
    expect(sent).toEqual([]);
    acks.ack(['c']); // nothing owed: everything leaves, without waiting for the hold
    await turn();
    expect(sent).toEqual([{ type: 'ack', ids: ['a', 'b', 'c'] }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('[R10] a sender awaiting each ack gets it at once: nothing else is owed', async () => {
    const { acks, sent, turn } = coalescer(1000);
    acks.expect();
    acks.ack(['only']);
    await turn();
    expect(sent).toEqual([{ type: 'ack', ids: ['only'] }]);
  });

  it('[R10] a held ack leaves after the hold at most, though more is still owed', async () => {
    vi.useFakeTimers();
    const { acks, sent, turn } = coalescer(50);
    for (let i = 0; i < 3; i++) acks.expect();
    acks.ack(['a']);
    await vi.advanceTimersByTimeAsync(49);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ type: 'ack', ids: ['a'] }]);
    acks.ack(['b']); // a new hold starts with the next ready id
    await turn();
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(sent).toEqual([
      { type: 'ack', ids: ['a'] },
      { type: 'ack', ids: ['b'] },
    ]);
  });

  it(`[R10] a held ack leaves once it carries ${MAX_IDS_PER_ACK} ids`, async () => {
    vi.useFakeTimers();
    const { acks, sent, turn } = coalescer(1000);
    for (let i = 0; i <= MAX_IDS_PER_ACK; i++) acks.expect();
    for (let i = 0; i < MAX_IDS_PER_ACK - 1; i++) acks.ack([`id-${i}`]);
    await turn();
    expect(sent).toEqual([]);
    acks.ack([`id-${MAX_IDS_PER_ACK - 1}`]);
    await turn();
    expect(sent).toHaveLength(1);
    expect((sent[0] as { ids: string[] }).ids).toHaveLength(MAX_IDS_PER_ACK);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('[R10] [G8] a failed write releases the held acks first, then its nack; a nack of an unacked message owes nothing', async () => {
    vi.useFakeTimers();
    const { acks, sent, turn } = coalescer(1000);
    for (let i = 0; i < 3; i++) acks.expect();
    acks.ack(['a']);
    acks.nack(nack(['x']), false); // not announced with expect: 'b' and 'c' are still owed
    expect(sent).toEqual([{ type: 'ack', ids: ['a'] }, nack(['x'])]);
    acks.ack(['b']);
    await turn();
    expect(sent).toHaveLength(2); // held for 'c'
    acks.nack(nack(['c']), true);
    expect(sent.slice(2)).toEqual([{ type: 'ack', ids: ['b'] }, nack(['c'])]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('[R10] a closed connection’s held acks go nowhere and leave no timer behind', async () => {
    vi.useFakeTimers();
    const { acks, sent } = coalescer(1000);
    acks.expect();
    acks.expect();
    acks.ack(['a']);
    expect(vi.getTimerCount()).toBe(1);
    acks.close();
    expect(vi.getTimerCount()).toBe(0);
    acks.ack(['late']); // a commit answering after the close
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual([]);
  });
});
