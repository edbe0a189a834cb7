/**
 * 006: the idempotency index keyed (id, scope) instead of (scope, id).
 *
 * Why: every append inserts into this unique index, and a commit writes each index page it
 * touched to the WAL whole. Keyed by scope first, the index has one insertion point per sender:
 * with 1,000 agents streaming, a commit of ~550 events touched hundreds of leaf pages, one or
 * two events each, and the commits dominated ingest (CPU profile of bench/relayCpu.ts, 1,000
 * agents: SQLite's COMMIT 24% and the inserts 23% of the process). Keyed by id first, ids
 * that grow with time (the ones this server and the SDK mint, lib/protocol/ids.ts, and most
 * clients' counters) land next to each other whatever their sender, so a commit touches a few
 * pages at the index's right edge: event-loop time per single-frame token 30.5–30.9 →
 * 18.9–21.6 µs in that harness. Random client ids (UUIDv4) touch one page per event in either
 * order, so they lose nothing.
 *
 * The unique key is the same pair, so `ON CONFLICT(scope, id)` and the lookup by (scope, id)
 * keep working. The new index is built before the old one is dropped, in the migration's one
 * transaction: a crash in between leaves the log at version 5 with its old index.
 */
import type Database from 'better-sqlite3';

export function idsIndexById(db: Database.Database): void {
  db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS events_id_scope ON events(id, scope);
DROP INDEX IF EXISTS events_scope_id;`);
}
