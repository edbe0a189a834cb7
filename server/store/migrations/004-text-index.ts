/**
 * 004: an index for trace text search (SPEC.md L6), so `/api/traces?q=` no longer reads every
 * event of every trace it looks at.
 *
 * `events_fts` is an FTS5 table with the trigram tokenizer: every run of 3 characters of an
 * event's recorded text is a term, so a phrase query finds any substring of 3 or more
 * characters. It is contentless (the text already lives in `events.data`) with
 * contentless_delete, so retention can delete a row by its rowid (= the event's seq).
 *
 * The index is a NECESSARY condition, never the answer: its text is the same selection of
 * atoms the exact check reads (json_tree over the searchable fields and the attribute values),
 * joined by newlines and case-folded by the tokenizer — a superset of what LIKE matches — so
 * listTraces confirms each hit with the exact check and the meaning of a search cannot drift.
 *
 * The append transaction writes the index row (sqliteEventLog.ts, text from indexedText.ts);
 * a trigger deletes it with its event, whoever deletes (retention). Only events of a trace are
 * indexed: search returns traces. A later migration that rebuilds `events` must recreate the trigger.
 */
import type Database from 'better-sqlite3';
import { ASK_SQLITE, indexedText } from '../indexedText';
import { SEARCHABLE_FIELDS } from '../searchableText';

const FIELDS = SEARCHABLE_FIELDS.map((f) => `'${f}'`).join(',');

/** The recorded text of one event's `data` (a column or parameter) as one string, NULL when it has none: the exact check's selection. */
export const recordedTextSql = (data: string) =>
  `(SELECT group_concat(j.atom, char(10)) FROM json_tree(${data}) j
     WHERE ((j.path = '$' AND j.key IN (${FIELDS})) OR j.path = '$.attributes') AND j.atom IS NOT NULL)`;

/** Inserts one event's index row with the text SQLite renders itself (the rare events JS cannot render exactly). */
export const INDEX_BY_SQLITE = `INSERT INTO events_fts (rowid, body) SELECT @seq, b FROM (SELECT ${recordedTextSql('@data')} AS b) WHERE b IS NOT NULL`;

/** Events read per step while an existing log is indexed (each step logs progress on a big log). */
const BUILD_STEP = 100_000;

export function textIndex(db: Database.Database, log: (line: string) => void = (l) => console.log(l)): void {
  db.exec(`
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(body, content='', contentless_delete=1, tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS events_fts_delete AFTER DELETE ON events WHEN OLD.trace_id IS NOT NULL BEGIN
  DELETE FROM events_fts WHERE rowid = OLD.seq;
END;
`);
  // An existing log: index what it holds, in seq steps so progress shows on a big one. It all
  // runs inside the migration's transaction, so a crash leaves the log at version 3 and the
  // next start builds the index again from scratch.
  const max = (db.prepare('SELECT MAX(seq) FROM events').pluck().get() as number | null) ?? 0;
  if (max === 0) return;
  const rows = db.prepare('SELECT seq, data FROM events WHERE seq > ? AND seq <= ? AND trace_id IS NOT NULL');
  const byJs = db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?, ?)');
  const bySqlite = db.prepare(INDEX_BY_SQLITE);
  const started = Date.now();
  let indexed = 0;
  for (let from = 0; from < max; from += BUILD_STEP) {
    // all(), not iterate(): the connection cannot write while a read is open on it.
    for (const r of rows.all(from, from + BUILD_STEP) as { seq: number; data: string }[]) {
      let text: ReturnType<typeof indexedText>;
      try {
        text = indexedText(JSON.parse(r.data));
      } catch {
        text = ASK_SQLITE;
      }
      if (text === ASK_SQLITE) bySqlite.run({ seq: r.seq, data: r.data });
      else if (text !== null) byJs.run(r.seq, text);
      indexed++;
    }
    if (max > BUILD_STEP) log(`[store] building the text search index: ${Math.min(100, Math.round(((from + BUILD_STEP) / max) * 100))}% (${indexed} events, ${Math.round((Date.now() - started) / 1000)} s)`);
  }
}
