import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { mintEventId } from '../../../lib/protocol/ids';
import { MIGRATIONS, migrate } from '../migrations';
import { SqliteEventLog } from '../sqliteEventLog';

const event = (id: string, scope?: string) =>
  ({ id, ts: 1, t: null, kind: 'token', trace_id: null, span_id: null, parent_span_id: null, agent: 'a', peer: null, topic: null, lamport: 0, data: { text: id }, ...(scope ? { scope } : {}) }) as const;

/** The unique indexes on events and their columns, in order. */
function uniqueKeys(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  const names = db.prepare("SELECT name FROM pragma_index_list('events') WHERE \"unique\" = 1 AND origin = 'c'").pluck().all() as string[];
  const keys = Object.fromEntries(names.map((n) => [n, db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(n) as string[]]));
  db.close();
  return keys;
}

it('[G3] migration 006 re-keys the idempotency index (id, scope) on a log with rows: the same rows, and a sender\'s duplicate is still found in its own scope only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-mig6-'));
  const file = path.join(dir, 'events.db');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 5)); // a log as the previous release left it, with a row
  db.prepare("INSERT INTO events (seq, id, ts, kind, agent, lamport, data, scope) VALUES (1, 'x', 1, 'token', 'a', 0, '{}', 'key|agent:a')").run();
  db.close();
  const first = SqliteEventLog.open(dir); // opening runs 006
  expect(first.migration.applied).toEqual(['006-ids-index-by-id']);
  await first.close();
  expect(uniqueKeys(file)).toEqual({ events_id_scope: ['id', 'scope'] });

  const log = SqliteEventLog.open(dir);
  expect(await log.append([event('x', 'key|agent:a')])).toEqual([{ id: 'x', seq: 1, duplicate: true }]);
  expect(await log.append([event('x', 'key|agent:b')])).toEqual([{ id: 'x', seq: 2, duplicate: false }]);
  expect(await log.append([event('x')])).toEqual([{ id: 'x', seq: 3, duplicate: false }]);
  expect(await log.append([event('x', 'key|agent:b'), event('y', 'key|agent:b')])).toEqual([
    { id: 'x', seq: 2, duplicate: true },
    { id: 'y', seq: 4, duplicate: false },
  ]);
  await log.close();
});

it('[G3] migration 006 is one transaction: a failure after the new index was built leaves version 5 with its old index', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-mig6-'));
  const db = new Database(path.join(dir, 'events.db'));
  migrate(db, MIGRATIONS.slice(0, 5));
  db.exec("INSERT INTO events (seq, id, ts, kind, agent, lamport, data, scope) VALUES (1, 'x', 1, 'token', 'a', 0, '{}', ''), (2, 'x', 1, 'token', 'a', 0, '{}', 's')");
  // The old key already made (scope, id) unique, so the new index always builds; a crash or
  // error after it, before the version bump, must leave the old index in place.
  const failing = [...MIGRATIONS.slice(0, 5), { name: '006-fails-midway', up: (d: Database.Database) => { MIGRATIONS[5].up(d); throw new Error('crash'); } }];
  expect(() => migrate(db, failing)).toThrow('crash');
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%id%'").pluck().all()).toEqual(['events_scope_id']);
  expect(db.pragma('user_version', { simple: true })).toBe(5);
  db.close();
});

it('[G3] minted event ids sort in the order they were minted, millisecond by millisecond, and do not collide', async () => {
  const first = Array.from({ length: 20_000 }, () => mintEventId());
  await new Promise((r) => setTimeout(r, 5));
  const later = mintEventId();
  expect(new Set(first).size).toBe(first.length);
  for (const id of first) expect(id).toMatch(/^[0-9a-f]{24}$/);
  expect(first.every((id) => id < later)).toBe(true);
  const stamps = first.map((id) => id.slice(0, 12));
  expect([...stamps].sort()).toEqual(stamps); // time prefixes never go backwards
});
