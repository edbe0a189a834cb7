import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { PROTOTYPE_NAMES } from '../testing/hostileNames';
import { Outbox } from './outbox';

const tok = (id: string) => ({ type: 'token' as const, id, text: id });

describe('Outbox', () => {
  it('keeps frames until acked and re-sends them after a reconnect', () => {
    const box = new Outbox(10, 'reject');
    box.add(tok('a'));
    box.add(tok('b'));
    box.add(tok('a')); // same id: kept once
    expect(box.takeUnsent(10, 1).map((f) => f.id)).toEqual(['a', 'b']);
    expect(box.hasUnsent).toBe(false);
    box.settle(['a']);
    expect(box.requeue()).toBe(1);
    expect(box.takeUnsent(10, 2).map((f) => f.id)).toEqual(['b']);
    box.settle(['b']);
    expect(box.size).toBe(0);
  });

  it('requeues only overdue frames when asked', () => {
    const box = new Outbox(10, 'reject');
    box.add(tok('old'));
    box.takeUnsent(10, 100);
    box.add(tok('new'));
    box.takeUnsent(10, 900);
    expect(box.requeue((sentAt) => sentAt < 500)).toBe(1);
    expect(box.takeUnsent(10, 1000).map((f) => f.id)).toEqual(['old']);
  });

  it('rejects with buffer_full when full under the reject policy', async () => {
    const box = new Outbox(1, 'reject');
    await box.reserve();
    box.add(tok('a'));
    await expect(box.reserve()).rejects.toMatchObject({ code: 'buffer_full' });
  });

  it('blocks when full under the block policy until an ack frees room', async () => {
    const box = new Outbox(1, 'block');
    box.add(tok('a'));
    let through = false;
    const p = box.reserve().then(() => (through = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(through).toBe(false);
    box.settle(['a']);
    await p;
    expect(through).toBe(true);
  });

  it('resolves drained when everything is settled', async () => {
    const box = new Outbox(5, 'block');
    box.add(tok('a'));
    let done = false;
    const p = box.drained().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    box.settle(['a']);
    await p;
    expect(done).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(backoffDelay(0, 100, 5000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 5000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
  });
});

describe('[G6] hostile frame ids', () => {
  it('keeps, de-duplicates and settles frames whose ids are prototype member names', () => {
    const box = new Outbox(100, 'reject');
    for (const id of PROTOTYPE_NAMES) box.add(tok(id));
    for (const id of PROTOTYPE_NAMES) box.add(tok(id)); // same ids: kept once
    expect(box.size).toBe(PROTOTYPE_NAMES.length);
    expect(box.takeUnsent(100, 1).map((f) => f.id)).toEqual([...PROTOTYPE_NAMES]);
    box.settle(['__proto__', 'constructor']);
    expect(box.size).toBe(PROTOTYPE_NAMES.length - 2);
    expect(box.requeue()).toBe(PROTOTYPE_NAMES.length - 2);
    expect(box.takeUnsent(100, 2).map((f) => f.id)).toEqual(PROTOTYPE_NAMES.filter((n) => n !== '__proto__' && n !== 'constructor'));
  });
});
