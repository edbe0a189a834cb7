/** Age retention on the shared PostgreSQL log, two nodes sweeping the same database. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StampedEvent } from './eventLog';
import { PgEventLog } from './pgEventLog';
import { PgRetention } from './pgRetention';
import { startTestPostgres, type TestPostgres } from '../testing/postgres';

let server: TestPostgres;
const logs: PgEventLog[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const l of logs) await l.close();
  await server?.destroy();
});

let n = 0;
const ev = (ts: number, trace: string | null): StampedEvent => ({ id: `r${++n}`, ts, t: null, kind: 'token', trace_id: trace, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: null, data: { text: 'x' }, lamport: 1 }) as StampedEvent;

it('[M1] retention on the PostgreSQL log: two nodes sweep by turns, what is older than the window goes (whole traces only), the floor rises, the rest stays', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await PgEventLog.open(url), await PgEventLog.open(url)];
  logs.push(a, b);
  const now = 10_000_000;
  const OLD = 'a'.repeat(32);
  const LIVE = 'b'.repeat(32);
  const events = [ev(1000, OLD), ev(1100, LIVE), ev(1200, null)];
  for (let i = 0; i < 30; i++) events.push(ev(2000 + i, OLD));
  events.push(ev(now - 10, LIVE), ev(now - 5, null));
  await a.append(events);
  const sweepers = [a, b].map((log) => new PgRetention(log, { retentionMs: 60_000, intervalMs: 60_000, batchRows: 4, now: () => now }));
  await Promise.all(sweepers.map((s) => s.runOnce()));
  // A pass that met the other node's step stops; run again until both are idle.
  for (let i = 0; i < 5; i++) await Promise.all(sweepers.map((s) => s.runOnce()));
  const left = await b.read({});
  expect(left.map((e) => e.trace_id)).toEqual([LIVE, LIVE, null]); // the live trace whole, the recent broadcast
  expect(await a.isExpiredTrace(OLD)).toBe(true);
  expect(await a.floor()).toBeGreaterThanOrEqual(33);
  expect(sweepers.reduce((s, x) => s + x.stats.eventsDeleted, 0)).toBe(32);
  for (const s of sweepers) await s.close();
});
