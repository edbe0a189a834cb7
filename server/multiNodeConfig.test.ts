import os from 'node:os';
import { expect, it } from 'vitest';
import { loadConfig } from './config';

const load = (vars: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...vars } as NodeJS.ProcessEnv);

it('[M1] without XRAY_DATABASE_URL a node runs on its SQLite file; the node id defaults to host name and relay port', () => {
  const c = load({ RELAY_PORT: '9123' });
  expect(c.databaseUrl).toBeNull();
  expect(c.nodeId).toBe(`${os.hostname()}:9123`);
  expect(c.leaseTtlMs).toBe(10_000);
  expect(c.tailPollMs).toBe(1000);
});

it('[M1] XRAY_DATABASE_URL selects the shared PostgreSQL log; [G6] anything but a postgres URL and a malformed node id are refused', () => {
  const c = load({ XRAY_DATABASE_URL: 'postgres://xray:pw@db:5432/xray', XRAY_NODE_ID: 'node-a', XRAY_LEASE_TTL: '5s', XRAY_TAIL_POLL: '500ms' });
  expect(c).toMatchObject({ databaseUrl: 'postgres://xray:pw@db:5432/xray', nodeId: 'node-a', leaseTtlMs: 5000, tailPollMs: 500 });
  expect(load({ XRAY_DATABASE_URL: 'postgresql://h/db' }).databaseUrl).toBe('postgresql://h/db');
  expect(load({ XRAY_DATABASE_URL: '' }).databaseUrl).toBeNull();
  expect(() => load({ XRAY_DATABASE_URL: 'mysql://h/db' })).toThrow(/XRAY_DATABASE_URL/);
  expect(() => load({ XRAY_NODE_ID: 'a b' })).toThrow(/XRAY_NODE_ID/);
});
