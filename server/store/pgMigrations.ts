/**
 * The PostgreSQL log's versioned schema, its own list (SQLite's lives in migrations.ts).
 * `xray_schema.version` is the number of migrations applied; on start every migration above
 * it runs in one transaction with the version bump. Several nodes may start at once: a
 * transaction-scoped advisory lock makes the second wait and then find nothing to do.
 *
 * To change the schema, append ONE entry. Never edit, remove or reorder one that has shipped.
 */
import type { PoolClient } from 'pg';

export interface PgMigration {
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    name: '001-log',
    sql: `
CREATE TABLE xray_log_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  head bigint NOT NULL
);
INSERT INTO xray_log_head (one, head) VALUES (true, 0);
CREATE TABLE xray_events (
  seq bigint PRIMARY KEY,
  scope text NOT NULL,
  id text NOT NULL,
  ts bigint NOT NULL,
  t double precision,
  kind text NOT NULL,
  trace_id text,
  span_id text,
  parent_span_id text,
  agent text NOT NULL,
  peer text,
  topic text,
  lamport bigint NOT NULL,
  data text NOT NULL,
  -- The recorded text of the event (searchable field values and span attribute values, decoded),
  -- computed once at append: PostgreSQL's JSON functions fail on a \\u0000 in a value.
  search text[] NOT NULL,
  UNIQUE (scope, id)
);
CREATE INDEX xray_events_trace ON xray_events (trace_id, seq) WHERE trace_id IS NOT NULL;
CREATE INDEX xray_events_topic ON xray_events (topic, seq) WHERE topic IS NOT NULL;
CREATE INDEX xray_events_agent ON xray_events (agent, seq);
CREATE INDEX xray_events_peer ON xray_events (peer, seq) WHERE peer IS NOT NULL;
CREATE TABLE xray_traces (
  trace_id text PRIMARY KEY,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  start_ts bigint NOT NULL,
  end_ts bigint NOT NULL,
  events bigint NOT NULL,
  errors bigint NOT NULL,
  max_lamport bigint NOT NULL,
  agents text[] NOT NULL
);
CREATE INDEX xray_traces_last ON xray_traces (last_seq);
CREATE TABLE xray_meta (
  key text PRIMARY KEY,
  value bigint NOT NULL
);
CREATE TABLE xray_expired_traces (
  trace_id text PRIMARY KEY,
  expired_at bigint NOT NULL
);
CREATE INDEX xray_expired_traces_at ON xray_expired_traces (expired_at);
`,
  },
  {
    name: '002-leases',
    sql: `
CREATE TABLE xray_leases (
  name text PRIMARY KEY,
  node text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX xray_leases_node ON xray_leases (node);
`,
  },
  {
    // Trace text search (SPEC.md L6) indexed with pg_trgm: a GIN trigram index over each
    // event's recorded text joined by newlines answers "contains" (ILIKE '%…%', 3+ characters)
    // without reading every event; listTraces still confirms each hit value by value. pg_trgm
    // ships with Debian's postgresql-15 (contrib) and is a trusted extension (a database owner
    // may create it); where it cannot be created the log works as before, unindexed.
    name: '003-text-index',
    sql: `
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm cannot be created (%): trace text search runs without an index', SQLERRM;
END $$;
CREATE OR REPLACE FUNCTION xray_search_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT array_to_string($1, E'\n') $f$;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS xray_events_search ON xray_events USING gin (xray_search_text(search) gin_trgm_ops) WHERE trace_id IS NOT NULL;
  END IF;
END $$;
`,
  },
];

/** Advisory lock keys (one 64-bit namespace per database): migration, seq allocation, retention. */
export const MIGRATION_LOCK = 0x78726179_0001n;
export const SEQ_LOCK = 0x78726179_0002n;
export const RETENTION_LOCK = 0x78726179_0003n;

export class PgSchemaTooNewError extends Error {}

export interface PgMigrationReport {
  from: number;
  to: number;
  applied: string[];
}

export async function migratePg(client: PoolClient, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<PgMigrationReport> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS xray_schema (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM xray_schema')).rows[0];
    const from = row?.version ?? 0;
    if (!row) await client.query('INSERT INTO xray_schema (version) VALUES (0)');
    if (from > migrations.length) {
      throw new PgSchemaTooNewError(`the PostgreSQL log has schema version ${from}, this release knows up to ${migrations.length}; run a newer release`);
    }
    const applied: string[] = [];
    for (let v = from; v < migrations.length; v++) {
      await client.query(migrations[v].sql);
      applied.push(migrations[v].name);
    }
    await client.query('UPDATE xray_schema SET version = $1', [migrations.length]);
    await client.query('COMMIT');
    return { from, to: migrations.length, applied };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
