import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SqliteEventLog } from '../sqliteEventLog';
import { migrateScopedIds } from './003-scoped-ids';

/** The events table as it was before migration 003: one global UNIQUE id. */
const V1_EVENTS = `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, t REAL, kind TEXT NOT NULL,
  trace_id TEXT, span_id TEXT, parent_span_id TEXT, agent TEXT NOT NULL, peer TEXT, topic TEXT,
  lamport INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX events_trace ON events(trace_id, seq) WHERE trace_id IS NOT NULL;
CREATE INDEX events_extra ON events(agent, seq);
`;

function v1Database(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-mig-'));
  const db = new Database(path.join(dir, 'events.db'));
  db.exec(V1_EVENTS);
  const insert = db.prepare("INSERT INTO events VALUES (?, ?, 1, NULL, 'token', NULL, NULL, NULL, ?, NULL, NULL, 0, ?)");
  insert.run(1, 'old-1', 'alice', '{"text":"one"}');
  insert.run(2, 'old-2', 'bob', '{"text":"two"}');
  db.close();
  return dir;
}

it('[G3] migration 003 keeps every row (scope \'\'), swaps the global unique id for (scope, id), keeps other indexes, and is idempotent', async () => {
  const dir = v1Database();
  const log = SqliteEventLog.open(dir); // opening runs the migration
  expect((await log.read({})).map((e) => [e.seq, e.id, e.agent, e.data])).toEqual([
    [1, 'old-1', 'alice', { text: 'one' }],
    [2, 'old-2', 'bob', { text: 'two' }],
  ]);
  expect(await log.seqOf('old-1')).toBe(1); // pre-migration ids live in scope ''
  // An old id is still a duplicate in its own scope, and free in a sender's scope.
  const e = { id: 'old-1', ts: 2, t: null, kind: 'token', trace_id: null, span_id: null, parent_span_id: null, agent: 'carol', peer: null, topic: null, lamport: 0, data: { text: 'three' } } as const;
  expect(await log.append([e])).toEqual([{ id: 'old-1', seq: 1, duplicate: true }]);
  expect(await log.append([{ ...e, scope: 'anon|agent:carol' }])).toEqual([{ id: 'old-1', seq: 3, duplicate: false }]);
  await log.close();

  const db = new Database(path.join(dir, 'events.db'));
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").pluck().all();
  // Opening ran every later migration too: 006 re-keyed the unique index (id, scope).
  expect(indexes).toEqual(expect.arrayContaining(['events_extra', 'events_id_scope', 'events_trace']));
  expect(migrateScopedIds(db)).toBe(false); // already applied: nothing to do
  expect((db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number)).toBe(3);
  db.close();
});
