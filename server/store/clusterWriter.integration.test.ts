/**
 * The writer in multi-node mode, two in-process "nodes" (each its own pool, tail and writer)
 * on a real PostgreSQL: listeners hear each event once, from the tail only; a submit resolves
 * after the node's own listeners saw it; a trace's lamport clock moves past the other node's stamps.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { XrayEvent } from '../../lib/protocol/events';
import type { ScopedEvent } from './eventLog';
import { LogWriter } from './logWriter';
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

async function node(url: string) {
  const log = await PgEventLog.open(url, { poolSize: 3 });
  const tail = new PgLogTail(log, url, { from: await log.head(), pollMs: 60_000 });
  const writer = await LogWriter.open(log, { health: log.health, announcer: tail });
  const heard: XrayEvent[] = [];
  writer.onCommit((events) => heard.push(...events));
  await tail.start();
  cleanup.push(async () => {
    await writer.close();
    await tail.close();
  });
  return { writer, tail, heard };
}

let n = 0;
const token = (agent: string, trace: string | null, lamport?: number): ScopedEvent =>
  ({ id: `w${++n}`, ts: Date.now(), t: null, kind: 'token', trace_id: trace, span_id: null, parent_span_id: null, agent, peer: null, topic: null, data: { text: String(n) }, scope: `test|${agent}`, ...(lamport !== undefined ? { lamport } : {}) }) as ScopedEvent;

it('[M4] a node\'s listeners hear every node\'s events once, in seq order, and its own submit resolves only after they heard it', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await node(url), await node(url)];
  const [r] = await a.writer.submit([token('on-a', null)]);
  expect(a.heard.map((e) => e.seq)).toContain(r.seq); // read-your-writes: heard before the ack
  await b.writer.submit([token('on-b', null), token('on-b', null)]);
  await a.tail.reached(3);
  await b.tail.reached(3);
  expect(a.heard.map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(b.heard.map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(a.writer.head()).toBe(3);
});

it('[M4][G4] per-trace lamport across nodes: a node that last stamped a trace at 1 stamps past what another node wrote since', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await node(url), await node(url)];
  const trace = 'c'.repeat(32);
  await b.writer.submit([token('b', trace)]); // B's clock for the trace: 1
  for (let i = 0; i < 5; i++) await a.writer.submit([token('a', trace)]); // A: 2..6 (A resumes from the log)
  await b.tail.reached(6);
  await b.writer.submit([token('b', trace)]);
  const lamports = b.heard.filter((e) => e.trace_id === trace).map((e) => [e.seq, e.lamport]);
  expect(lamports).toEqual([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
    [6, 6],
    [7, 7],
  ]);
});
