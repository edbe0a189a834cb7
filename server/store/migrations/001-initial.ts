/**
 * 001: the schema of release 0.1.0, which had no user_version (0). `IF NOT EXISTS` makes it
 * a no-op on such a log, so upgrading one only stamps the version.
 */
import type Database from 'better-sqlite3';

export function initialSchema(db: Database.Database): void {
  db.exec(`
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
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
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_trace ON events(trace_id, seq) WHERE trace_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_topic ON events(topic, seq) WHERE topic IS NOT NULL;
CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  start_ts INTEGER NOT NULL,
  end_ts INTEGER NOT NULL,
  events INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  max_lamport INTEGER NOT NULL,
  agents TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_last ON traces(last_seq);
`);
}
