/**
 * The write half of the SQLite log: one connection's prepared statements and the next seq,
 * appending a batch in one transaction (events, the text index rows, the per-trace rollups).
 * Shared by the two ways the log writes: inline on the event loop (the default) and in the
 * writer thread (sqliteWriterWorker.ts, `XRAY_SQLITE_WRITER=thread`), off the event loop.
 */
import type Database from 'better-sqlite3';
import type { AppendResult, StampedEvent } from './eventLog';
import { foldTraceEvent, type TraceRollup } from './traceRollup';
import { ASK_SQLITE, indexedText } from './indexedText';
import { INDEX_BY_SQLITE } from './migrations/004-text-index';

export class SqliteAppender {
  private readonly insert: Database.Statement;
  private readonly bySeqOfId: Database.Statement;
  private readonly upsertTrace: Database.Statement;
  private readonly getTrace: Database.Statement;
  private readonly indexText: Database.Statement;
  private readonly indexTextBySqlite: Database.Statement;
  private readonly appendTx: Database.Transaction<(events: readonly StampedEvent[]) => AppendResult[]>;
  /** The seq the next stored event gets. */
  nextSeq: number;

  private readonly knownAgents = (traceId: string) => {
    const known = this.getTrace.get(traceId) as string | undefined;
    return known ? (JSON.parse(known) as string[]) : undefined;
  };

  /** `db` must be migrated already (migrations.ts). */
  constructor(private readonly db: Database.Database) {
    this.nextSeq = ((db.prepare('SELECT MAX(seq) AS m FROM events').get() as { m: number | null }).m ?? 0) + 1;
    this.insert = db.prepare(
      `INSERT INTO events (seq,id,ts,t,kind,trace_id,span_id,parent_span_id,agent,peer,topic,lamport,data,scope)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(scope, id) DO NOTHING`, // only the sender's own duplicate is skipped; any other violation aborts the batch
    );
    this.bySeqOfId = db.prepare('SELECT seq FROM events WHERE scope = ? AND id = ?').pluck();
    this.getTrace = db.prepare('SELECT agents FROM traces WHERE trace_id = ?').pluck();
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, max_lamport, agents)
       VALUES (@trace_id, @first, @seq, @first_ts, @ts, @events, @errors, @lamport, @agents)
       ON CONFLICT(trace_id) DO UPDATE SET last_seq = @seq, end_ts = MAX(end_ts, @ts), start_ts = MIN(start_ts, @first_ts),
         events = events + @events, errors = errors + @errors, max_lamport = MAX(max_lamport, @lamport), agents = @agents`,
    );
    this.indexText = db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?, ?)');
    this.indexTextBySqlite = db.prepare(INDEX_BY_SQLITE);
    this.appendTx = db.transaction((events: readonly StampedEvent[]) => this.appendInTx(events));
  }

  /**
   * Appends in one transaction, all or nothing; throws SQLite's error (the seqs are reused).
   * BEGIN IMMEDIATE: another connection may write too (retention on the event loop while this
   * runs in the writer thread), and a deferred transaction that read first could not upgrade.
   */
  append(events: readonly StampedEvent[]): AppendResult[] {
    const before = this.nextSeq;
    try {
      return this.appendTx.immediate(events);
    } catch (err) {
      this.nextSeq = before; // the transaction rolled back: reuse the seqs
      throw err;
    }
  }

  private appendInTx(events: readonly StampedEvent[]): AppendResult[] {
    const results: AppendResult[] = [];
    // Per-trace rollups for this batch, written once per trace rather than once per event.
    const traces = new Map<string, TraceRollup>();
    for (const e of events) {
      const seq = this.nextSeq;
      const data = JSON.stringify(e.data);
      // Positional parameters: no object per row on the hottest line of ingest.
      const info = this.insert.run(seq, e.id, e.ts, e.t, e.kind, e.trace_id, e.span_id, e.parent_span_id, e.agent, e.peer, e.topic, e.lamport, data, e.scope ?? '');
      if (info.changes === 0) {
        results.push({ id: e.id, seq: this.bySeqOfId.get(e.scope ?? '', e.id) as number, duplicate: true });
        continue;
      }
      this.nextSeq++;
      results.push({ id: e.id, seq, duplicate: false });
      if (e.trace_id) {
        // The search index row, in the same transaction (migration 004): only traces are searched.
        const text = indexedText(e.data);
        if (text === ASK_SQLITE) this.indexTextBySqlite.run({ seq, data });
        else if (text !== null) this.indexText.run(seq, text);
        foldTraceEvent(traces, e.trace_id, e, seq, this.knownAgents);
      }
    }
    for (const [trace_id, t] of traces) {
      this.upsertTrace.run({ trace_id, first: t.first, first_ts: t.first_ts, seq: t.seq, ts: t.ts, events: t.events, errors: t.errors, lamport: t.lamport, agents: JSON.stringify([...t.agents]) });
    }
    return results;
  }
}
