/**
 * 005: how the text search index (004) merges its segments. FTS5 writes one new segment per
 * transaction, and by default merges a level once it holds 4 segments ('automerge' 4), doing
 * that merge work inside whichever commit comes next; a level that reaches 16 segments is
 * merged whole at once ('crisismerge'). On this log every writer commit is one segment, so
 * with the defaults the index rewrites its terms again and again as it grows, inside the
 * commits that tokens and acks wait for.
 *
 * 16 segments per level before a merge, and a whole-level merge only at 64, measured on the
 * append path (bench note in the README, issue #18; 1.5M token events in commits of 500,
 * events row and index row per event, 2 runs): CPU per event 14.1–14.3 → 10.8–11.9 µs, commit
 * p99 49–50 → 27–29 ms, worst commit 65–78 → 46–68 ms; a phrase search reads more segments:
 * median 0.2 → 0.45 ms. 32 or 64 per level saved no more at the p99 and cost searches more.
 *
 * The settings live in the index's own config table, so both writers (inline and the writer
 * thread) and every later open use them.
 */
import type Database from 'better-sqlite3';

export const TEXT_INDEX_AUTOMERGE = 16;
export const TEXT_INDEX_CRISISMERGE = 64;

export function textIndexMerging(db: Database.Database): void {
  // Literals, not bound parameters: FTS5 takes only an INTEGER value, and a JS number binds as REAL.
  db.exec(`INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', ${TEXT_INDEX_AUTOMERGE});
INSERT INTO events_fts (events_fts, rank) VALUES ('crisismerge', ${TEXT_INDEX_CRISISMERGE});`);
}
