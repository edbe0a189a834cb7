/**
 * SQLite backend (better-sqlite3, WAL). Durable against a process crash once `append`
 * returns: WAL + synchronous=NORMAL commits survive SIGKILL (not power loss; set
 * XRAY_SYNC=FULL for that). Trace summaries are maintained in the same transaction so the
 * trace list never scans the event table. The schema is versioned (migrations.ts); every
 * SQLite failure is reported to the StorageHealth and answered with a coded error.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { XrayEvent } from '../../lib/protocol/events';
import type { AppendResult, EventLog, ReadQuery, StampedEvent, TraceListQuery, TraceSummaryRow } from './eventLog';
import { ensureIncrementalVacuum, migrate, MIGRATIONS, schemaVersion, SchemaTooNewError, type MigrationReport } from './migrations';
import { checkDataDir, checkIntegrity, checkLogFile, EXIT_CORRUPT, EXIT_SCHEMA_TOO_NEW, EXIT_UNWRITABLE, StartupError } from './startupChecks';
import { StorageHealth } from './storageHealth';
import { SEARCHABLE_FIELDS } from './searchableText';
import { SqliteAppender } from './sqliteAppender';
import { configureConnection } from './sqliteConnection';
import { SqliteWriterThread } from './sqliteWriterThread';

/** How long a connection waits for the other to release the write lock (a batch takes milliseconds). */
const WRITE_LOCK_WAIT_MS = 5000;
/** SQLite's default; the server raises it once its WAL checkpointer runs (setAutoCheckpoint). */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface SqliteOpenOptions {
  synchronous?: 'NORMAL' | 'FULL';
  health?: StorageHealth;
  /** Logs up to this size get a full `quick_check` at start-up; bigger ones a bounded check. */
  fullCheckMaxBytes?: number;
  /**
   * Where appends run: `inline` (the default) on the event loop's connection, or `thread` in a
   * worker thread with its own connection (sqliteWriterThread.ts), keeping SQLite's CPU off the
   * event loop. In-memory logs are always inline (a thread cannot share them).
   */
  writer?: 'thread' | 'inline';
}

/** What one retention step did. */
export interface ExpireBatchResult {
  deleted: number;
  traces: number;
  /** True when nothing older than the cutoff is left to look at. */
  done: boolean;
}


/**
 * The columns an event is read from (the idempotency scope stays in the store), fetched as raw
 * arrays: building a 14-key object per row and then spreading it into the event was most of a
 * big trace's first read (102,000 rows: 630–800 ms as objects, 370 ms as arrays, here).
 */
const EVENT_COLUMNS = 'seq, id, ts, t, kind, trace_id, span_id, parent_span_id, agent, peer, topic, lamport, data';
type RawRow = [number, string, number, number | null, string, string | null, string | null, string | null, string, string | null, string | null, number, string];

function rowToEvent(r: RawRow): XrayEvent {
  // One object literal in the columns' order (no spread: V8's slow path).
  return { seq: r[0], id: r[1], ts: r[2], t: r[3], kind: r[4], trace_id: r[5], span_id: r[6], parent_span_id: r[7], agent: r[8], peer: r[9], topic: r[10], lamport: r[11], data: JSON.parse(r[12]) } as XrayEvent;
}

const SEARCHABLE_SQL = SEARCHABLE_FIELDS.map((f) => `'${f}'`).join(',');

/** A LIKE pattern for "contains `text`", its wildcards (`%`, `_`) and the escape char taken literally. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type TextPlan = { kind: 'scan' } | { kind: 'hits'; byTrace: Map<string, number[]> } | { kind: 'index'; phrase: string };

/** Index hits up to which a text search reads them all and confirms their traces (a few ms); above, it goes trace by trace. */
const TEXT_HITS_CAP = 20_000;

/** LIKE's case-insensitivity: ASCII letters only. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The exact L6 check on event `e` against @text (a likeContaining pattern): recorded text only,
 * the values of the searchable fields and attribute values, decoded — never the JSON encoding
 * (keys such as "status", quotes, backslash escapes).
 */
function exactTextSql(text: string): string {
  const exact = `EXISTS (SELECT 1 FROM json_tree(e.data) j
      WHERE ((j.path = '$' AND j.key IN (${SEARCHABLE_SQL})) OR j.path = '$.attributes') AND j.atom LIKE @text ESCAPE '\\')`;
  // A cheap necessary condition first, so the JSON is parsed only for rows that may match:
  // JSON escapes nothing but `"`, `\`, control characters and lone surrogates, so text free
  // of them that is in a recorded value is in the row's JSON too.
  const prefilter = /["\\\u0000-\u001f]|\p{Cs}/u.test(text) ? '' : "e.data LIKE @text ESCAPE '\\' AND ";
  return `${prefilter}${exact}`;
}

export class SqliteEventLog implements EventLog {
  private readonly db: Database.Database;
  /** With the writer thread: one past the highest seq it reported (inline, the appender knows). */
  private threadNextSeq: number;
  private readonly bySeqOfId: Database.Statement;
  /** Exactly one of these appends. */
  private readonly appender: SqliteAppender | null;
  private readonly thread: SqliteWriterThread | null;

  readonly health: StorageHealth;
  readonly file: string | null;
  readonly migration: MigrationReport;
  readonly vacuumMode: ReturnType<typeof ensureIncrementalVacuum>;
  private floorSeq: number;
  /** Index hits up to which a text search reads them all (TEXT_HITS_CAP; lowered by tests to reach the trace-by-trace plan). */
  textHitsCap = TEXT_HITS_CAP;

  /**
   * Opens (creating if needed) `<dataDir>/events.db`, after checking the directory is writable
   * and the file is sound; throws a StartupError with a distinct exit code otherwise.
   */
  static open(dataDir: string, synchronousOrOptions: 'NORMAL' | 'FULL' | SqliteOpenOptions = 'NORMAL'): SqliteEventLog {
    const options = typeof synchronousOrOptions === 'string' ? { synchronous: synchronousOrOptions } : synchronousOrOptions;
    checkDataDir(dataDir);
    const file = path.join(dataDir, 'events.db');
    checkLogFile(file);
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (err) {
      throw new StartupError(`event log ${file} cannot be opened: ${(err as Error).message}`, EXIT_UNWRITABLE);
    }
    try {
      // The log holds agents' payloads: never world-readable.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
      checkIntegrity(db, file, options.fullCheckMaxBytes ?? 256 * 1024 * 1024);
      return new SqliteEventLog(db, options.synchronous ?? 'NORMAL', options.health ?? new StorageHealth(), file, options.writer ?? 'inline');
    } catch (err) {
      db.close();
      if (err instanceof StartupError) throw err;
      if (err instanceof SchemaTooNewError) throw new StartupError(`event log ${file}: ${err.message}`, EXIT_SCHEMA_TOO_NEW);
      const code = (err as { code?: string }).code ?? '';
      if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw new StartupError(`event log ${file} is damaged (${code}: ${(err as Error).message}); restore a backup or recover it (README, Operations)`, EXIT_CORRUPT);
      if (/^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|PERM)/.test(code)) throw new StartupError(`event log ${file} cannot be written (${code}: ${(err as Error).message})`, EXIT_UNWRITABLE);
      throw err;
    }
  }

  static inMemory(): SqliteEventLog {
    return new SqliteEventLog(new Database(':memory:'), 'NORMAL', new StorageHealth(), null, 'inline');
  }

  private constructor(db: Database.Database, synchronous: 'NORMAL' | 'FULL', health: StorageHealth, file: string | null, writer: 'thread' | 'inline') {
    this.db = db;
    this.health = health;
    this.file = file;
    // Must precede the first table of a new log; an existing one is converted below.
    if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    configureConnection(db, synchronous);
    // An existing log being upgraded says so before each step; a new one is set up silently.
    const upgrading = schemaVersion(db) > 0;
    this.migration = migrate(db, MIGRATIONS, upgrading ? (step) => console.log(`[store] upgrading the log: ${step}…`) : undefined);
    this.vacuumMode = ensureIncrementalVacuum(db);
    this.floorSeq = (db.prepare("SELECT value FROM meta WHERE key = 'retention_floor'").pluck().get() as number | undefined) ?? 0;
    this.bySeqOfId = db.prepare('SELECT seq FROM events WHERE scope = ? AND id = ?').pluck();
    const threaded = writer === 'thread' && file !== null;
    this.appender = threaded ? null : new SqliteAppender(db);
    this.thread = threaded ? new SqliteWriterThread({ file, synchronous, busyTimeoutMs: WRITE_LOCK_WAIT_MS, autoCheckpointPages: DEFAULT_AUTOCHECKPOINT_PAGES }) : null;
    this.threadNextSeq = this.appender ? 0 : ((db.prepare('SELECT MAX(seq) AS m FROM events').get() as { m: number | null }).m ?? 0) + 1;
    // Both connections may write (appends, maintenance): each waits its turn for the write lock.
    db.pragma(`busy_timeout = ${WRITE_LOCK_WAIT_MS}`);
  }

  /** The seq the next stored event gets. */
  private get nextSeq(): number {
    return this.appender ? this.appender.nextSeq : this.threadNextSeq;
  }

  /** Whether appends run in the writer thread. */
  get threaded(): boolean {
    return this.thread !== null;
  }

  /** The writer thread's starts and unexpected deaths (for /metrics); undefined when inline. */
  get writerThreadStats(): { starts: number; deaths: number } | undefined {
    return this.thread?.stats;
  }

  /** One promise per batch, one transaction per batch. */
  async append(events: readonly StampedEvent[]): Promise<AppendResult[]> {
    let results: AppendResult[];
    try {
      if (!this.thread) return this.appender!.append(events);
      results = await this.thread.append(events);
    } catch (err) {
      throw this.health.fail(err, 'write');
    }
    for (const r of results) if (!r.duplicate && r.seq >= this.threadNextSeq) this.threadNextSeq = r.seq + 1;
    return results;
  }

  /** Runs a read; a SQLite failure (a corrupt page) is reported and answered with a coded error. */
  private reading<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.health.fail(err, 'read');
    }
  }

  async head(): Promise<number> {
    return this.headNow();
  }

  private headNow(): number {
    return this.nextSeq - 1;
  }

  async read(q: ReadQuery): Promise<XrayEvent[]> {
    return this.reading(() => this.readUnguarded(q));
  }

  private readUnguarded(q: ReadQuery): XrayEvent[] {
    const where: string[] = ['seq > @after'];
    const params: Record<string, unknown> = { after: q.after ?? 0, limit: Math.max(1, Math.min(q.limit ?? 1000, 1_000_000)) };
    if (q.upTo !== undefined) {
      where.push('seq <= @upTo');
      params.upTo = q.upTo;
    }
    if (q.traceId) {
      where.push('trace_id = @traceId');
      params.traceId = q.traceId;
    }
    if (q.topic) {
      where.push('topic = @topic');
      params.topic = q.topic;
    }
    if (q.agent) {
      where.push('(agent = @agent OR peer = @agent)');
      params.agent = q.agent;
    }
    if (q.kinds?.length) {
      where.push(`kind IN (${q.kinds.map((_, i) => `@k${i}`).join(',')})`);
      q.kinds.forEach((k, i) => (params[`k${i}`] = k));
    }
    const rows = this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`).raw(true).all(params) as RawRow[];
    return rows.map(rowToEvent);
  }

  async seqOf(id: string, scope = ''): Promise<number | undefined> {
    return this.reading(() => this.bySeqOfId.get(scope, id) as number | undefined);
  }

  async maxLamport(traceId: string): Promise<number> {
    const v = this.reading(() => this.db.prepare('SELECT max_lamport FROM traces WHERE trace_id = ?').pluck().get(traceId) as number | undefined);
    return v ?? 0;
  }

  async listTraces(q: TraceListQuery): Promise<TraceSummaryRow[]> {
    return this.reading(() => this.listTracesUnguarded(q));
  }

  private listTracesUnguarded(q: TraceListQuery): TraceSummaryRow[] {
    const where: string[] = ['1=1'];
    const params: Record<string, unknown> = { limit: Math.max(1, Math.min(q.limit ?? 50, 500)) };
    if (q.before !== undefined) {
      where.push('last_seq < @before');
      params.before = q.before;
    }
    if (q.after !== undefined) {
      where.push('last_seq > @after');
      params.after = q.after;
    }
    if (q.status === 'error') where.push('errors > 0');
    if (q.status === 'ok') where.push('errors = 0');
    if (q.since !== undefined) {
      where.push('end_ts >= @since');
      params.since = q.since;
    }
    if (q.until !== undefined) {
      where.push('start_ts <= @until');
      params.until = q.until;
    }
    if (q.agent) {
      // agents is a JSON array of names; match one element exactly.
      where.push('EXISTS (SELECT 1 FROM json_each(traces.agents) WHERE json_each.value = @agent)');
      params.agent = q.agent;
    }
    let verify: ((traceId: string) => boolean) | null = null;
    if (q.text) {
      // A pattern LIKE cannot hold (it stops at a NUL) matches nothing rather than everything.
      if (q.text.includes('\0')) return [];
      params.text = likeContaining(q.text);
      const exact = exactTextSql(q.text);
      const plan = this.textPlan(q.text, q.before);
      if (plan.kind === 'scan') {
        // Under 3 characters the trigram index has nothing to look up: the exact check over
        // each trace's events (searchTraces bounds how many traces one request looks at).
        where.push(`(trace_id LIKE @text ESCAPE '\\' OR EXISTS (SELECT 1 FROM events e WHERE e.trace_id = traces.trace_id AND ${exact}))`);
      } else if (plan.kind === 'hits') {
        // Few index hits: their traces are the only candidates; each is confirmed by the exact
        // check on its hits only, newest first, until the page is full.
        const byTrace = plan.byTrace;
        params.candidates = JSON.stringify([...byTrace.keys()]);
        where.push(`(trace_id LIKE @text ESCAPE '\\' OR trace_id IN (SELECT value FROM json_each(@candidates)))`);
        const confirm = this.db.prepare(`SELECT 1 FROM events e WHERE e.seq IN (SELECT value FROM json_each(@seqs)) AND ${exact} LIMIT 1`);
        const needle = asciiLower(q.text);
        verify = (traceId) => asciiLower(traceId).includes(needle) || !byTrace.has(traceId) || confirm.get({ seqs: JSON.stringify(byTrace.get(traceId)), text: params.text }) !== undefined;
        // Up to one extra row per candidate the exact check may reject.
        params.limit = (params.limit as number) + byTrace.size;
      } else {
        // Many hits (a common word): per trace, newest first, look its hits up in the index
        // (the trace's seq range, then its own events) and stop at the first exact match.
        params.phrase = plan.phrase;
        where.push(`(trace_id LIKE @text ESCAPE '\\' OR EXISTS (SELECT 1 FROM events_fts f JOIN events e ON e.seq = f.rowid
          WHERE events_fts MATCH @phrase AND f.rowid BETWEEN traces.first_seq AND traces.last_seq AND e.trace_id = traces.trace_id AND ${exact}))`);
      }
    }
    const rows = this.db
      .prepare(`SELECT trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, agents FROM traces WHERE ${where.join(' AND ')} ORDER BY last_seq DESC LIMIT @limit`)
      .all(params) as (Omit<TraceSummaryRow, 'agents'> & { agents: string })[];
    const wanted = Math.max(1, Math.min(q.limit ?? 50, 500));
    const kept = verify ? rows.filter((r) => verify(r.trace_id)).slice(0, wanted) : rows;
    return kept.map((r) => ({ ...r, agents: JSON.parse(r.agents) as string[] }));
  }

  /**
   * How a text search of this text runs (migration 004): `scan` under 3 characters; `hits`
   * when the index holds at most TEXT_HITS_CAP events with the text below `before` (their
   * traces grouped, newest hit first); `index` otherwise. Public so searchTraces can search the
   * whole log at once when it is cheap (see textSearchIsBounded).
   */
  textPlan(text: string, before?: number): TextPlan {
    if ([...text].length < 3) return { kind: 'scan' };
    // searchTraces asks for the plan, then listTraces uses it: read the hits once. A plan is
    // only reused while nothing was appended; retention deleting a candidate meanwhile is harmless
    // (its trace row is gone, and its events fail the confirmation).
    const key = `${text}\0${before ?? ''}\0${this.nextSeq}\0${this.textHitsCap}`;
    if (this.lastPlan?.key === key) return this.lastPlan.plan;
    const plan = this.textPlanUncached(text, before);
    this.lastPlan = { key, plan };
    return plan;
  }

  private lastPlan: { key: string; plan: TextPlan } | null = null;

  private textPlanUncached(text: string, before?: number): TextPlan {
    // One FTS5 phrase: the trigram tokenizer turns it into consecutive trigrams, i.e. "contains".
    const phrase = `"${text.replace(/"/g, '""')}"`;
    const hits = this.db
      .prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?')
      .pluck()
      .all(phrase, before ?? Number.MAX_SAFE_INTEGER, this.textHitsCap + 1) as number[];
    if (hits.length > this.textHitsCap) return { kind: 'index', phrase };
    const byTrace = new Map<string, number[]>();
    const rows = this.db.prepare('SELECT seq, trace_id FROM events WHERE seq IN (SELECT value FROM json_each(?))').all(JSON.stringify(hits)) as { seq: number; trace_id: string | null }[];
    for (const r of rows) {
      if (r.trace_id === null) continue;
      const seqs = byTrace.get(r.trace_id);
      if (seqs) seqs.push(r.seq);
      else byTrace.set(r.trace_id, [r.seq]);
    }
    return { kind: 'hits', byTrace };
  }

  /** Whether a search for this text costs O(its hits) rather than O(the traces looked at): searchTraces then searches the whole log in one step. */
  async textSearchIsBounded(text: string, before?: number): Promise<boolean> {
    if (text.includes('\0')) return true;
    return this.reading(() => this.textPlan(text, before).kind === 'hits');
  }

  async floor(): Promise<number> {
    return this.floorSeq;
  }

  async oldestSeq(): Promise<number> {
    return this.reading(() => (this.db.prepare('SELECT MIN(seq) FROM events').pluck().get() as number | null) ?? this.headNow() + 1);
  }

  async isExpiredTrace(traceId: string): Promise<boolean> {
    return this.reading(() => this.db.prepare('SELECT 1 FROM expired_traces WHERE trace_id = ?').get(traceId) !== undefined);
  }

  /** Bytes the log occupies on disk: the database file and its WAL. */
  bytesOnDisk(): number {
    if (!this.file) return 0;
    let total = 0;
    for (const f of [this.file, `${this.file}-wal`]) {
      try {
        total += fs.statSync(f).size;
      } catch {
        /* no WAL yet */
      }
    }
    return total;
  }

  /** Bytes in pages that hold data (the file minus its free pages): what retention by size measures. */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** The `ts` of the event `offset` places above the floor: a cutoff that frees about that many events. */
  tsAtOffsetAboveFloor(offset: number): number | undefined {
    return this.db.prepare('SELECT ts FROM events WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?').pluck().get(this.floorSeq, Math.max(0, offset)) as number | undefined;
  }

  /**
   * One bounded step of retention, in one transaction touching at most `maxRows` events.
   * Walks the log upward from the floor and deletes every event received before `cutoffTs`,
   * except events of a trace whose LAST event is at or after the cutoff: a trace goes as a
   * whole, never half. Such a kept trace is picked up again (by its row in `traces`) once it
   * too ends before the cutoff. Deleted traces leave a tombstone so their links say "expired".
   */
  expireBatch(cutoffTs: number, maxRows: number, now = Date.now(), budgetMs = 4): ExpireBatchResult {
    const run = this.db.transaction((): ExpireBatchResult => {
      const started = performance.now();
      let budget = maxRows;
      let deleted = 0;
      let traces = 0;
      // 1. Walk up from the floor.
      let floor = this.floorSeq;
      let walked = false;
      const rows = this.db.prepare('SELECT seq, ts, trace_id FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(floor, budget) as { seq: number; ts: number; trace_id: string | null }[];
      const traceEnds = new Map<string, number>();
      const endOf = this.db.prepare('SELECT end_ts FROM traces WHERE trace_id = ?').pluck();
      const del = this.db.prepare('DELETE FROM events WHERE seq = ?');
      let looked = 0;
      for (const r of rows) {
        if (r.ts >= cutoffTs) {
          walked = true;
          break;
        }
        // A slow disk or a loaded machine: stop early rather than hold the writer.
        if (looked > 0 && looked % 64 === 0 && performance.now() - started > budgetMs) break;
        let expire = true;
        if (r.trace_id) {
          let end = traceEnds.get(r.trace_id);
          if (end === undefined) traceEnds.set(r.trace_id, (end = (endOf.get(r.trace_id) as number | undefined) ?? -Infinity));
          expire = end < cutoffTs;
        }
        if (expire) {
          del.run(r.seq);
          deleted++;
        }
        budget--;
        looked++;
        floor = r.seq;
      }
      if (rows.length < maxRows && looked === rows.length) walked = true;
      if (floor !== this.floorSeq) this.db.prepare("INSERT INTO meta (key, value) VALUES ('retention_floor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(floor);
      this.floorSeq = floor;
      // 2. Traces entirely at or below the floor that have now ended before the cutoff: what a
      //    still-live trace left behind when the floor passed it, or a row whose events just went.
      let leftoversDone = true;
      if (budget > 0 && performance.now() - started <= budgetMs) {
        const deleteTraceChunk = this.db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE trace_id = ? ORDER BY seq LIMIT ?)');
        const leftovers = this.db.prepare('SELECT trace_id FROM traces WHERE last_seq <= ? AND end_ts < ? LIMIT 16').pluck().all(floor, cutoffTs) as string[];
        if (leftovers.length === 16) leftoversDone = false;
        for (const traceId of leftovers) {
          if (budget <= 0) {
            leftoversDone = false;
            break;
          }
          const n = deleteTraceChunk.run(traceId, budget).changes;
          deleted += n;
          budget -= n;
          if (budget > 0) {
            this.db.prepare('DELETE FROM traces WHERE trace_id = ?').run(traceId);
            this.db.prepare('INSERT OR REPLACE INTO expired_traces (trace_id, expired_at) VALUES (?, ?)').run(traceId, now);
            traces++;
          } else leftoversDone = false;
        }
      } else leftoversDone = false;
      return { deleted, traces, done: walked && leftoversDone };
    });
    const before = this.floorSeq;
    try {
      // IMMEDIATE: it reads before it deletes, and the writer thread may commit in between.
      return run.immediate();
    } catch (err) {
      this.floorSeq = before;
      throw this.health.fail(err, 'write');
    }
  }

  /** Forgets tombstones of traces expired before `before`, at most `limit` of them. */
  pruneTombstones(before: number, limit: number): number {
    return this.db.prepare('DELETE FROM expired_traces WHERE trace_id IN (SELECT trace_id FROM expired_traces WHERE expired_at < ? LIMIT ?)').run(before, limit).changes;
  }

  /** Hands up to `pages` free pages back to the file system; returns how many were free before. */
  vacuumStep(pages: number): number {
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    if (free > 0) this.db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
    return free;
  }

  /** Pages of WAL after which a commit checkpoints by itself (SQLite default 1000). */
  setAutoCheckpoint(pages: number): void {
    const n = Math.max(0, Math.floor(pages));
    this.db.pragma(`wal_autocheckpoint = ${n}`);
    this.thread?.setAutoCheckpoint(n);
  }

  /** A small committed write, to find out whether the log is writable again. Throws if not. */
  probeWrite(): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(Date.now());
  }

  async close(): Promise<void> {
    await this.thread?.close();
    if (this.db.open) this.db.close();
  }
}
