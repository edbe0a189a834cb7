/** Cluster-wide names against a real PostgreSQL: two NameLeases with their own pools stand for two nodes. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PgEventLog } from '../store/pgEventLog';
import { startTestPostgres, type TestPostgres } from '../testing/postgres';
import { NameLeases } from './nameLeases';

let server: TestPostgres;
const logs: PgEventLog[] = [];
const leases: NameLeases[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const l of leases) await l.close(false);
  for (const l of logs) await l.close();
  await server?.destroy();
});

/** A node: its own pool (through its log, which also creates the schema), its own leases. */
async function node(url: string, id: string, ttlMs: number, onLost?: (name: string) => void): Promise<NameLeases> {
  const log = await PgEventLog.open(url, { poolSize: 2 });
  logs.push(log);
  const l = new NameLeases(log.pool, id, { ttlMs }, onLost);
  leases.push(l);
  return l;
}

it('[M2] a name is held by one node at a time: name_taken across nodes, the holder may claim again, a released name is free', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await node(url, 'A', 10_000), await node(url, 'B', 10_000)];
  expect(await a.claim('worker-1')).toBe(true);
  expect(await b.claim('worker-1')).toBe(false);
  expect(await a.claim('worker-1')).toBe(true);
  expect(await b.holder('worker-1')).toBe('A');
  expect(await b.holder('nobody')).toBeNull();
  await b.release('worker-1'); // not B's: nothing happens
  expect(await a.holder('worker-1')).toBe('A');
  await a.release('worker-1');
  expect(await b.claim('worker-1')).toBe(true);
  expect(await a.holder('worker-1')).toBe('B');
});

it('[M2] concurrent claims of one free name from several nodes: exactly one wins', async () => {
  const url = await server.createDatabase();
  const nodes = await Promise.all(['A', 'B', 'C', 'D'].map((id) => node(url, id, 10_000)));
  const won = await Promise.all(nodes.map((n) => n.claim('contested')));
  expect(won.filter(Boolean)).toHaveLength(1);
});

it('[M2] a node that stops its heartbeat (dies) loses its names after the lease; one that beats keeps them', async () => {
  const url = await server.createDatabase();
  const ttl = 600;
  const lost: string[] = [];
  const [dead, alive, other] = [await node(url, 'dead', ttl), await node(url, 'alive', ttl, (n) => lost.push(n)), await node(url, 'other', ttl)];
  alive.start();
  expect(await dead.claim('w-dead')).toBe(true);
  expect(await alive.claim('w-alive')).toBe(true);
  expect(await other.claim('w-dead')).toBe(false);
  await new Promise((r) => setTimeout(r, ttl * 2.5));
  expect(await other.holder('w-dead')).toBeNull(); // expired: free
  expect(await other.claim('w-dead')).toBe(true);
  expect(await other.holder('w-alive')).toBe('alive'); // renewed by its heartbeat
  expect(await other.claim('w-alive')).toBe(false);
  expect(await other.liveOn('alive', ['w-alive', 'w-dead'])).toEqual(new Set(['w-alive']));
  expect(alive.stats.heartbeats).toBeGreaterThan(2);
  expect(lost).toEqual([]);
});

it('[M2] a clean shutdown frees every name of the node at once', async () => {
  const url = await server.createDatabase();
  const [a, b] = [await node(url, 'A', 10_000), await node(url, 'B', 10_000)];
  await a.claim('x');
  await a.claim('y');
  await a.close();
  expect(await b.claim('x')).toBe(true);
  expect(await b.claim('y')).toBe(true);
});

it('[M2] a node whose lease expired while it could not renew, and whose name another node took, is told it lost the name; one nobody took is re-claimed', async () => {
  const url = await server.createDatabase();
  const lost: string[] = [];
  const [slow, other] = [await node(url, 'slow', 300, (n) => lost.push(n)), await node(url, 'other', 10_000)];
  expect(await slow.claim('taken-meanwhile')).toBe(true);
  expect(await slow.claim('still-free')).toBe(true);
  await new Promise((r) => setTimeout(r, 700)); // no heartbeat: both expire
  expect(await other.claim('taken-meanwhile')).toBe(true);
  await slow.renew(); // the heartbeat comes back
  expect(lost).toEqual(['taken-meanwhile']);
  expect(await other.holder('still-free')).toBe('slow');
  expect(await other.holder('taken-meanwhile')).toBe('other');
});
