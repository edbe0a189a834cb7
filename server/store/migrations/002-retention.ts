/**
 * 002: bookkeeping for retention. `meta` holds the retention floor (every event at or below
 * it that is not part of a still-live trace has been deleted); `expired_traces` remembers
 * the ids of deleted traces so a link to one answers "expired" rather than "not found".
 */
import type Database from 'better-sqlite3';

export function retentionTables(db: Database.Database): void {
  db.exec(`
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS expired_traces (
  trace_id TEXT PRIMARY KEY,
  expired_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS expired_traces_at ON expired_traces(expired_at);
`);
}
