/**
 * Migration 003: idempotency ids are scoped to their sender (issue 11, class 6; G3).
 *
 * Before: `events.id` was UNIQUE across the whole log, so whoever sent an id first owned it:
 * another agent's event with the same id was answered as a duplicate (and acked) but never
 * stored, and a WebSocket agent could pre-claim an OTLP span's derived id. After: each event
 * carries a `scope` (the sender: key principal + agent name, or the OTLP service), and the
 * unique key is (scope, id). Rows written before the migration keep scope '' (their ids were
 * globally unique, so they stay unique in that scope).
 *
 * SQLite cannot drop a column's UNIQUE constraint, so the table is rebuilt, in one
 * transaction. Idempotent: it does nothing once `events.scope` exists. Written as a plain
 * function over a connection so a `user_version` migration runner runs it as step 3.
 */
import type Database from 'better-sqlite3';

export const SCOPED_IDS_VERSION = 3;

const COLUMNS = 'seq, id, ts, t, kind, trace_id, span_id, parent_span_id, agent, peer, topic, lamport, data';

export function migrateScopedIds(db: Database.Database): boolean {
  const columns = db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
  if (!columns.length) throw new Error('migration 003 needs the events table (base schema) first');
  if (columns.some((c) => c.name === 'scope')) return false;
  // Every other index on events (whoever added it) is recreated on the rebuilt table.
  const indexes = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL").pluck().all() as string[]);
  db.transaction(() => {
    db.exec(`
      CREATE TABLE events_scoped (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        t REAL,
        kind TEXT NOT NULL,
        trace_id TEXT,
        span_id TEXT,
        parent_span_id TEXT,
        agent TEXT NOT NULL,
        peer TEXT,
        topic TEXT,
        lamport INTEGER NOT NULL,
        data TEXT NOT NULL,
        scope TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO events_scoped (${COLUMNS}, scope) SELECT ${COLUMNS}, '' FROM events;
      DROP TABLE events;
      ALTER TABLE events_scoped RENAME TO events;
      CREATE UNIQUE INDEX events_scope_id ON events(scope, id);
    `);
    for (const sql of indexes) db.exec(sql);
  })();
  return true;
}
