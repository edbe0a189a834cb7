import { expect, it } from 'vitest';
import { StorageHealth } from './storageHealth';
import { StorageProbe } from './storageProbe';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

it('[G8] an asynchronous probe (PostgreSQL) heals the log only once its write resolves, and never runs twice at once', async () => {
  const health = new StorageHealth();
  health.fail(refused, 'write');
  expect(health.state).toBe('unavailable');
  let answer: { resolve(): void; reject(e: Error): void } | null = null;
  let calls = 0;
  const probe = new StorageProbe(health, { probeWrite: () => new Promise<void>((resolve, reject) => ((answer = { resolve, reject }), calls++)) }, { dir: null, intervalMs: 60_000, headroomBytes: 0 });
  expect(probe.probe()).toBe(false);
  expect(probe.probe()).toBe(false); // the first is still waiting
  expect(calls).toBe(1);
  answer!.reject(refused);
  await new Promise((r) => setImmediate(r));
  expect(health.state).toBe('unavailable');
  expect(probe.stats.failures).toBe(1);
  probe.probe();
  expect(calls).toBe(2);
  answer!.resolve();
  await new Promise((r) => setImmediate(r));
  expect(health.state).toBe('ok');
  probe.close();
});
