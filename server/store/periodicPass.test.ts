import { expect, it, vi } from 'vitest';
import { PeriodicPass } from './periodicPass';

it('[L8] concurrent calls share one pass; a failed pass is counted, logged and not thrown; close waits for the pass in progress', async () => {
  let release!: () => void;
  let passes = 0;
  let failures = 0;
  let fail = false;
  const p = new PeriodicPass(
    'test',
    60_000,
    async () => {
      passes++;
      if (fail) throw new Error('disk went away');
      await new Promise<void>((r) => (release = r));
    },
    () => failures++,
  );
  const a = p.runOnce();
  const b = p.runOnce();
  expect(a).toBe(b);
  expect(passes).toBe(1);
  release();
  await a;
  fail = true;
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  await expect(p.runOnce()).resolves.toBeUndefined();
  expect(failures).toBe(1);
  expect(err.mock.calls[0][0]).toMatch(/\[test\] pass failed \(will retry\): disk went away/);
  err.mockRestore();
  fail = false;
  const running = p.runOnce();
  let closed = false;
  const closing = p.close().then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  expect(p.stopped).toBe(true);
  expect(closed).toBe(false); // still waiting for the pass
  release();
  await running;
  await closing;
  expect(closed).toBe(true);
});

it('[L8] start() runs a pass at once and then on every interval, and not after close()', async () => {
  vi.useFakeTimers();
  try {
    let passes = 0;
    const p = new PeriodicPass('test', 1000, async () => void passes++);
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(2500);
    expect(passes).toBe(3);
    await p.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect(passes).toBe(3);
    p.start(); // a closed pass stays closed
    await vi.advanceTimersByTimeAsync(5000);
    expect(passes).toBe(3);
  } finally {
    vi.useRealTimers();
  }
});
