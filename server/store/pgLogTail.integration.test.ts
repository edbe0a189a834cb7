/**
 * The log tail against a real PostgreSQL: each node sees every committed event of every node,
 * exactly once, in seq order; LISTEN wakes it, the poll alone also delivers, and it follows
 * the log again by itself after PostgreSQL restarts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import type { StampedEvent } from './eventLog';
import { PgEventLog } from './pgEventLog';
import { PgLogTail } from './pgLogTail';
import { startTestPostgres, type TestPostgres } from '../testing/postgres';

let server: TestPostgres;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await server?.destroy();
});

async function node(url: string): Promise<PgEventLog> {
  const log = await PgEventLog.open(url, { poolSize: 3 });
  cleanup.push(() => log.close());
  return log;
}

async function tail(log: PgEventLog, url: string, options: { pollMs?: number; listen?: boolean; from?: number } = {}) {
  const t = new PgLogTail(log, url, { from: options.from ?? 0, pollMs: options.pollMs ?? 60_000, listen: options.listen, batch: 50 });
  const seen: XrayEvent[] = [];
  t.onCommit((events) => seen.push(...events));
  await t.start();
  cleanup.push(() => t.close());
  return { t, seen };
}

let n = 0;
const ev = (agent: string): StampedEvent => ({ id: `t${++n}`, ts: Date.now(), t: null, kind: 'token', trace_id: null, span_id: null, parent_span_id: null, agent, peer: null, topic: null, data: { text: String(n) }, lamport: 0 }) as StampedEvent;

it('[G4] every node\'s tail delivers every node\'s commits exactly once, in seq order (LISTEN wakes it; the poll is 60 s)', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await node(url), await node(url)];
  const onA = await tail(a, url);
  const onB = await tail(b, url);
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) writes.push((i % 2 ? a : b).append(Array.from({ length: 1 + (i % 5) }, () => ev(i % 2 ? 'on-a' : 'on-b'))));
  await Promise.all(writes);
  const head = await a.head();
  await expect.poll(() => onB.seen.length, { timeout: 10_000 }).toBe(head);
  await expect.poll(() => onA.seen.length, { timeout: 10_000 }).toBe(head);
  for (const seen of [onA.seen, onB.seen]) expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  expect(onB.t.stats.notifications).toBeGreaterThan(0);
});

it('[G4] without LISTEN the bounded poll alone delivers, and a tail started at a cursor delivers only what is after it', async () => {
  const url = await server.createDatabase();
  const log = await node(url);
  await log.append([ev('x'), ev('x'), ev('x')]);
  const { t, seen } = await tail(log, url, { listen: false, pollMs: 100, from: 2 });
  await log.append([ev('y')]);
  await expect.poll(() => seen.map((e) => e.seq), { timeout: 5000 }).toEqual([3, 4]);
  expect(t.stats.notifications).toBe(0);
  expect(t.position).toBe(4);
});

it('[G8] PostgreSQL restarted: the tail reconnects its LISTEN by itself and delivers what was written after, no event twice', async () => {
  const url = await server.createDatabase();
  const log = await node(url);
  const { t, seen } = await tail(log, url, { pollMs: 300 });
  await log.append([ev('before')]);
  await expect.poll(() => seen.length).toBe(1);
  await server.stop();
  await new Promise((r) => setTimeout(r, 500)); // the tail's reads fail meanwhile; it must not crash or skip
  await server.start();
  await expect.poll(async () => (await log.append([ev('after')]).catch(() => null)) !== null, { timeout: 15_000, interval: 300 }).toBe(true);
  await expect.poll(() => seen.map((e) => e.agent), { timeout: 10_000 }).toEqual(['before', 'after']);
  expect(t.stats.readFailures).toBeGreaterThan(0);
  await expect.poll(() => t.stats.listenReconnects, { timeout: 10_000 }).toBeGreaterThan(0);
  // Written now, delivered by the re-established LISTEN (the poll is slow enough to tell apart only statistically; count both).
  await log.append([ev('later')]);
  await expect.poll(() => seen.map((e) => e.seq), { timeout: 10_000 }).toEqual([1, 2, 3]);
}, 60_000);

it('[M4] reached(seq) resolves once the listeners have seen that seq (a writer acks after it), false on timeout', async () => {
  const url = await server.createDatabase();
  const log = await node(url);
  const { t, seen } = await tail(log, url, { listen: false, pollMs: 60_000 });
  const [r] = await log.append([ev('w')]);
  expect(await t.reached(r.seq)).toBe(true); // woken by reached itself, not by the 60 s poll
  expect(seen.map((e) => e.seq)).toEqual([r.seq]);
  expect(await t.reached(r.seq + 5, 200)).toBe(false);
});
