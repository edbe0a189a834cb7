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

/** Events one multi-row INSERT takes (14 parameters each, well under SQLite's 32,766). */
const ROWS_PER_INSERT = 32;
const EVENT_COLUMNS = '(seq,id,ts,t,kind,trace_id,span_id,parent_span_id,agent,peer,topic,lamport,data,scope)';
const EVENT_ROW = '(?,?,?,?,?,?,?,?,?,?,?,?,?,?)';
const PARAMS_PER_ROW = 14;

/** Writes one event's row parameters into `params` from `at`, in EVENT_COLUMNS order. */
function writeRow(params: unknown[], at: number, seq: number, e: StampedEvent, data: string): void {
  params[at] = seq;
  params[at + 1] = e.id;
  params[at + 2] = e.ts;
  params[at + 3] = e.t;
  params[at + 4] = e.kind;
  params[at + 5] = e.trace_id;
  params[at + 6] = e.span_id;
  params[at + 7] = e.parent_span_id;
  params[at + 8] = e.agent;
  params[at + 9] = e.peer;
  params[at + 10] = e.topic;
  params[at + 11] = e.lamport;
  params[at + 12] = data;
  params[at + 13] = e.scope ?? '';
}

export class SqliteAppender {
  private readonly insert: Database.Statement;
  /** ROWS_PER_INSERT events in one statement; a duplicate among them is skipped (DO NOTHING) and detected by the count. */
  private readonly insertMany: Database.Statement;
  /** Around each multi-row statement: a chunk that skipped a duplicate is undone alone and redone row by row. */
  private readonly chunkBegin: Database.Statement;
  private readonly chunkUndo: Database.Statement;
  private readonly chunkEnd: Database.Statement;
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
    // Only the sender's own duplicate is skipped; any other violation aborts the batch.
    this.insert = db.prepare(`INSERT INTO events ${EVENT_COLUMNS} VALUES ${EVENT_ROW} ON CONFLICT(scope, id) DO NOTHING`);
    this.insertMany = db.prepare(`INSERT INTO events ${EVENT_COLUMNS} VALUES ${Array(ROWS_PER_INSERT).fill(EVENT_ROW).join(',')} ON CONFLICT(scope, id) DO NOTHING`);
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
    this.chunkBegin = db.prepare('SAVEPOINT xray_chunk');
    this.chunkUndo = db.prepare('ROLLBACK TO xray_chunk');
    this.chunkEnd = db.prepare('RELEASE xray_chunk');
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

  /**
   * The batch's events ROWS_PER_INSERT to a statement, the rest one by one: fewer calls into
   * SQLite per event. Seqs are given in order, so a chunk that skipped a duplicate would leave
   * a gap (G4): each chunk runs in a savepoint, and one that skipped a duplicate is rolled back
   * to it and redone row by row. Only that chunk pays: a sender that retries one id per commit
   * cannot push everyone's events onto the slow path.
   */
  private appendInTx(events: readonly StampedEvent[]): AppendResult[] {
    const n = events.length;
    const whole = n - (n % ROWS_PER_INSERT);
    const results: AppendResult[] = new Array(n);
    const datas: string[] = new Array(n);
    // One parameter array per append for the chunks and one for single rows, reused within it.
    // Not kept across appends: a long-lived array holding each batch's new strings would take a
    // write barrier per store and keep its last batch alive.
    const params: unknown[] = new Array(ROWS_PER_INSERT * PARAMS_PER_ROW);
    const row: unknown[] = new Array(PARAMS_PER_ROW);
    for (let at = 0; at < whole; at += ROWS_PER_INSERT) {
      for (let i = at; i < at + ROWS_PER_INSERT; i++) {
        const e = events[i];
        const seq = this.nextSeq + (i - at);
        const data = (datas[i] = JSON.stringify(e.data));
        results[i] = { id: e.id, seq, duplicate: false };
        writeRow(params, (i - at) * PARAMS_PER_ROW, seq, e, data);
      }
      this.chunkBegin.run();
      if (this.insertMany.run(params).changes === ROWS_PER_INSERT) {
        this.chunkEnd.run();
        this.nextSeq += ROWS_PER_INSERT;
        continue;
      }
      this.chunkUndo.run();
      this.chunkEnd.run();
      for (let i = at; i < at + ROWS_PER_INSERT; i++) this.insertOne(events[i], i, results, datas, row);
    }
    for (let i = whole; i < n; i++) this.insertOne(events[i], i, results, datas, row);
    this.indexAndRollUp(events, results, datas);
    return results;
  }

  /** One event, or the seq of the sender's earlier event with its id (a duplicate, skipped). */
  private insertOne(e: StampedEvent, i: number, results: AppendResult[], datas: string[], row: unknown[]): void {
    const seq = this.nextSeq;
    const data = (datas[i] = JSON.stringify(e.data));
    writeRow(row, 0, seq, e, data);
    if (this.insert.run(row).changes === 0) {
      results[i] = { id: e.id, seq: this.bySeqOfId.get(e.scope ?? '', e.id) as number, duplicate: true };
      return;
    }
    this.nextSeq++;
    results[i] = { id: e.id, seq, duplicate: false };
  }

  /** The stored events' search index rows and per-trace rollups, in the same transaction. */
  private indexAndRollUp(events: readonly StampedEvent[], results: readonly AppendResult[], datas: readonly string[]): void {
    // Per-trace rollups for this batch, written once per trace rather than once per event.
    const traces = new Map<string, TraceRollup>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const r = results[i];
      if (!e.trace_id || r.duplicate) continue;
      // The search index row (migration 004): only traces are searched.
      const text = indexedText(e.data);
      if (text === ASK_SQLITE) this.indexTextBySqlite.run({ seq: r.seq, data: datas[i] });
      else if (text !== null) this.indexText.run(r.seq, text);
      foldTraceEvent(traces, e.trace_id, e, r.seq, this.knownAgents);
    }
    for (const [trace_id, t] of traces) {
      this.upsertTrace.run({ trace_id, first: t.first, first_ts: t.first_ts, seq: t.seq, ts: t.ts, events: t.events, errors: t.errors, lamport: t.lamport, agents: JSON.stringify([...t.agents]) });
    }
  }
}
