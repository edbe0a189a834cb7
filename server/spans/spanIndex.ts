/**
 * The span index: every span the log knows (SDK, OTLP, relay calls, gate checks) in a
 * derived SQLite database beside the event log (`spans.db`), maintained from committed
 * events in seq order and rebuildable from the log at any time: it remembers the last seq
 * it indexed and catches up from the log at start-up (from scratch if the log is behind it).
 *
 * Kept out of server/store on purpose: the log stays the only source of truth; this is a
 * read model for selector queries, watches and evidence gates.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Attributes, XrayEvent } from '../../lib/protocol/events';
import { matches, type ParentLookup, type SpanRecord, type SpanStatus } from '../../lib/selector/match';
import type { SelectorList } from '../../lib/selector/parse';
import type { GateCheckRecord, GateStats } from '../../lib/protocol/spans';
import type { EventLog } from '../store/eventLog';
import { selectorToSql } from './selectorSql';
import { SPAN_EVENT_KINDS, spanUpdateOf, type SpanUpdate } from './spanUpdates';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT,
  agent TEXT,
  status TEXT,
  kind TEXT,
  start REAL,
  end REAL,
  start_seq INTEGER,
  end_seq INTEGER,
  -- seq at which both ends were known: the watch cursor
  done_seq INTEGER,
  attrs TEXT NOT NULL DEFAULT '{}',
  UNIQUE (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_name ON spans(name);
CREATE INDEX IF NOT EXISTS spans_agent ON spans(agent);
CREATE INDEX IF NOT EXISTS spans_start ON spans(start);
CREATE INDEX IF NOT EXISTS spans_span_id ON spans(span_id);
CREATE INDEX IF NOT EXISTS spans_done ON spans(done_seq) WHERE done_seq IS NOT NULL;
CREATE TABLE IF NOT EXISTS span_attrs (
  span INTEGER NOT NULL,
  key TEXT NOT NULL,
  v_text TEXT,
  v_num REAL,
  PRIMARY KEY (span, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS span_attrs_num ON span_attrs(key, v_num) WHERE v_num IS NOT NULL;
CREATE INDEX IF NOT EXISTS span_attrs_text ON span_attrs(key, v_text);
-- gate.check verdicts, for attempts and first-attempt pass rates (server/gates)
CREATE TABLE IF NOT EXISTS gate_checks (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  gate TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  verdict TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gate_checks_gate ON gate_checks(gate, seq);
CREATE INDEX IF NOT EXISTS gate_checks_trace ON gate_checks(gate, trace_id);
CREATE TABLE IF NOT EXISTS span_index_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
`;

/** Attributes indexed per span at most (OTLP keeps 128 too). */
const MAX_ATTRIBUTES = 128;
/** Rows a query may examine before it answers with what it has and a `next` cursor. */
export const QUERY_SCAN_BUDGET = 20_000;
export const MAX_QUERY_LIMIT = 1000;
const QUERY_PAGE_ROWS = 500;
/** Ancestor lookups one query page or watch step may make (descendant selectors). */
export const PARENT_LOOKUP_BUDGET = 20_000;

interface Row {
  id: number;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  agent: string | null;
  status: string | null;
  kind: string | null;
  start: number | null;
  end: number | null;
  start_seq: number | null;
  end_seq: number | null;
  done_seq: number | null;
  attrs: string;
}

export interface IndexedSpan extends SpanRecord {
  /** Seq of the event that completed the span (both ends known); null while open. */
  seq: number | null;
}

/** A span that became complete in a commit, with the seq that completed it. */
export interface CompletedSpan {
  seq: number;
  span: IndexedSpan;
}

export interface SpanQuery {
  selector: SelectorList | null;
  traceId?: string;
  /** Spans that started at or after this time (ms since epoch). */
  since?: number;
  limit: number;
  /** Continue below this span row (the previous page's `next`). */
  cursor?: number;
}

export interface SpanPage {
  spans: IndexedSpan[];
  /** Pass as `cursor` for more; null when the index has nothing further. */
  next: number | null;
}

/** The number a text attribute also counts as, for numeric comparisons ("0" is 0). */
function numericOf(v: string | number | boolean): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

function toSpan(row: Row): IndexedSpan {
  return {
    trace_id: row.trace_id,
    span_id: row.span_id,
    parent_span_id: row.parent_span_id,
    name: row.name ?? '',
    agent: row.agent ?? '',
    status: (row.status ?? 'unset') as SpanStatus,
    kind: row.kind ?? '',
    start: row.start ?? row.end ?? 0,
    end: row.end,
    attributes: JSON.parse(row.attrs) as Attributes,
    seq: row.done_seq,
  };
}

interface MergedUpdate {
  trace_id: string;
  span_id: string;
  seq: number;
  startSeq: number | null;
  endSeq: number | null;
  open?: SpanUpdate['open'];
  close?: SpanUpdate['close'];
  attributes?: Attributes;
}

function mergeInto(merged: Map<string, MergedUpdate>, u: SpanUpdate): void {
  const key = `${u.trace_id}/${u.span_id}`;
  let m = merged.get(key);
  if (!m) merged.set(key, (m = { trace_id: u.trace_id, span_id: u.span_id, seq: u.seq, startSeq: null, endSeq: null }));
  m.seq = u.seq;
  if (u.open) {
    m.open = u.open;
    m.startSeq = u.seq;
  }
  if (u.close) {
    m.close = u.close;
    m.endSeq = u.seq;
  }
  if (u.attributes) {
    const attrs = (m.attributes ??= Object.create(null) as Attributes); // "__proto__" is just a key here
    let n = Object.keys(attrs).length;
    for (const [k, v] of Object.entries(u.attributes)) {
      if (!Object.hasOwn(attrs, k) && n++ >= MAX_ATTRIBUTES) continue;
      attrs[k] = v;
    }
  }
}

export class SpanIndex {
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SpanIndex['prepare']>;
  private readonly applyTx: (events: readonly XrayEvent[]) => CompletedSpan[];
  private lastSeq: number;
  private readonly listeners = new Set<(completed: readonly CompletedSpan[], head: number) => void>();
  readonly stats = { indexed: 0, queries: 0 };

  static open(dataDir: string): SpanIndex {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, 'spans.db');
    const db = new Database(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
    return new SpanIndex(db);
  }

  static inMemory(): SpanIndex {
    return new SpanIndex(new Database(':memory:'));
  }

  private constructor(db: Database.Database) {
    this.db = db;
    db.pragma('journal_mode = WAL');
    // Derived data: a lost tail after a power cut is re-indexed from the log at start-up.
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    this.stmts = this.prepare();
    this.lastSeq = (this.stmts.getMeta.get('last_seq') as number | undefined) ?? 0;
    this.applyTx = db.transaction((events: readonly XrayEvent[]) => this.applyInTx(events));
  }

  private prepare() {
    const db = this.db;
    return {
      getMeta: db.prepare('SELECT v FROM span_index_meta WHERE k = ?').pluck(),
      setMeta: db.prepare('INSERT INTO span_index_meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
      // One statement per span per commit: what the merged update knows overwrites, what it
      // does not know stays; attributes merge as a JSON merge patch (null deletes a key).
      upsert: db.prepare(
        `INSERT INTO spans (trace_id, span_id, parent_span_id, name, agent, kind, start, start_seq, status, end, end_seq, done_seq, attrs)
         VALUES (@trace_id, @span_id, @parent_span_id, @name, @agent, @kind, @start, @start_seq, @status, @end, @end_seq,
                 CASE WHEN @start_seq IS NOT NULL AND @end_seq IS NOT NULL THEN @seq END, json_patch('{}', @attrs))
         ON CONFLICT(trace_id, span_id) DO UPDATE SET
           parent_span_id = CASE WHEN excluded.start_seq IS NOT NULL THEN excluded.parent_span_id ELSE parent_span_id END,
           name = COALESCE(excluded.name, name), agent = COALESCE(excluded.agent, agent), kind = COALESCE(excluded.kind, kind),
           start = COALESCE(excluded.start, start), start_seq = COALESCE(excluded.start_seq, start_seq),
           status = COALESCE(excluded.status, status), end = COALESCE(excluded.end, end), end_seq = COALESCE(excluded.end_seq, end_seq),
           attrs = json_patch(attrs, @attrs)
         RETURNING *`,
      ),
      setDone: db.prepare('UPDATE spans SET done_seq = ? WHERE id = ?'),
      putAttr: db.prepare('INSERT INTO span_attrs (span, key, v_text, v_num) VALUES (?, ?, ?, ?) ON CONFLICT(span, key) DO UPDATE SET v_text = excluded.v_text, v_num = excluded.v_num'),
      dropAttr: db.prepare('DELETE FROM span_attrs WHERE span = ? AND key = ?'),
      get: db.prepare('SELECT * FROM spans WHERE trace_id = ? AND span_id = ?'),
      bySpanId: db.prepare('SELECT * FROM spans WHERE span_id = ? LIMIT 16'),
      doneAfter: db.prepare('SELECT * FROM spans WHERE done_seq > ? ORDER BY done_seq LIMIT ?'),
      count: db.prepare('SELECT COUNT(*) FROM spans').pluck(),
      putGateCheck: db.prepare(
        `INSERT OR IGNORE INTO gate_checks (seq, ts, gate, trace_id, span_id, agent, verdict, attempt, data)
         VALUES (@seq, @ts, @gate, @trace_id, @span_id, @agent, @verdict, @attempt, @data)`,
      ),
      gateAttempts: db.prepare('SELECT COUNT(*) FROM gate_checks WHERE gate = ? AND trace_id = ?').pluck(),
      gateStats: db.prepare(
        `SELECT COUNT(*) AS checks, COALESCE(SUM(verdict = 'pass'), 0) AS passes,
           COALESCE(SUM(attempt = 1), 0) AS first_attempts, COALESCE(SUM(attempt = 1 AND verdict = 'pass'), 0) AS first_attempt_passes
         FROM gate_checks WHERE gate = ?`,
      ),
      gateChecks: db.prepare('SELECT * FROM gate_checks WHERE gate = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      allGateChecks: db.prepare('SELECT * FROM gate_checks WHERE seq < ? ORDER BY seq DESC LIMIT ?'),
    };
  }

  /** The last log seq reflected in the index. */
  get head(): number {
    return this.lastSeq;
  }

  get size(): number {
    return this.stmts.count.get() as number;
  }

  /** Called after every applied commit with the spans it completed (possibly none) and the new head. */
  onApplied(listener: (completed: readonly CompletedSpan[], head: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Brings the index up to the log's head, in pages. A log behind the index (a new data
   * directory, a restored backup) means the index is stale: it is rebuilt from scratch.
   */
  async catchUp(log: EventLog, page = 5000): Promise<void> {
    // Up to the head as it is now: the index is then current up to it, whatever commits meanwhile
    // (the feeder, fed by commit listeners, carries on from there).
    const head = await log.head();
    if (this.lastSeq > head) this.reset();
    for (;;) {
      const events = await log.read({ after: this.lastSeq, upTo: head, kinds: SPAN_EVENT_KINDS, limit: page });
      if (!events.length) break;
      this.apply(events, false);
      if (events.length < page) break;
    }
    if (head > this.lastSeq) {
      this.lastSeq = head;
      this.stmts.setMeta.run('last_seq', head);
    }
  }

  private reset(): void {
    this.db.exec('DELETE FROM spans; DELETE FROM span_attrs; DELETE FROM gate_checks; DELETE FROM span_index_meta;');
    this.lastSeq = 0;
  }

  /** Marks everything up to `seq` as indexed (the events in between held no spans) and tells the listeners. */
  advance(seq: number): void {
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.stmts.setMeta.run('last_seq', seq);
    for (const l of this.listeners) l([], seq);
  }

  /** Indexes committed events (seq order). Events at or below the head are skipped: replays are harmless. */
  apply(events: readonly XrayEvent[], notify = true): CompletedSpan[] {
    if (!events.length) return [];
    const completed = this.applyTx(events);
    if (notify) for (const l of this.listeners) l(completed, this.lastSeq);
    return completed;
  }

  private applyInTx(events: readonly XrayEvent[]): CompletedSpan[] {
    // Merge what this commit says about each span first (an OTLP span's start and end arrive
    // together): one write per span instead of one per event.
    const merged = new Map<string, MergedUpdate>();
    let last = this.lastSeq;
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      last = Math.max(last, e.seq);
      if (e.kind === 'gate.check' && e.trace_id && e.span_id) {
        this.stmts.putGateCheck.run({ seq: e.seq, ts: e.ts, gate: e.data.gate, trace_id: e.trace_id, span_id: e.span_id, agent: e.agent, verdict: e.data.verdict, attempt: e.data.attempt, data: JSON.stringify(e.data) });
      }
      const u = spanUpdateOf(e);
      if (u) mergeInto(merged, u);
    }
    const completed: CompletedSpan[] = [];
    for (const m of merged.values()) {
      const done = this.write(m);
      if (done) completed.push(done);
    }
    if (last > this.lastSeq) {
      this.lastSeq = last;
      this.stmts.setMeta.run('last_seq', last);
    }
    return completed.sort((a, b) => a.seq - b.seq); // completion order: the watch cursor's order
  }

  private write(m: MergedUpdate): CompletedSpan | null {
    const row = this.stmts.upsert.get({
      trace_id: m.trace_id,
      span_id: m.span_id,
      parent_span_id: m.open?.parent_span_id ?? null,
      name: m.open?.name ?? null,
      agent: m.open?.agent ?? null,
      kind: m.open?.kind ?? null,
      start: m.open?.start ?? null,
      start_seq: m.startSeq,
      status: m.close?.status ?? null,
      end: m.close?.end ?? null,
      end_seq: m.endSeq,
      seq: m.seq,
      attrs: m.attributes ? JSON.stringify(m.attributes) : '{}',
    }) as Row;
    this.stats.indexed++;
    if (m.attributes) {
      for (const [k, v] of Object.entries(m.attributes)) {
        if (v === null) this.stmts.dropAttr.run(row.id, k);
        else this.stmts.putAttr.run(row.id, k, String(v), numericOf(v));
      }
    }
    if (row.start_seq === null || row.end_seq === null) return null;
    if (row.done_seq === null) {
      this.stmts.setDone.run(m.seq, row.id);
      row.done_seq = m.seq;
    } else if (row.done_seq !== m.seq) return null; // completed in an earlier commit
    return { seq: row.done_seq, span: toSpan(row) };
  }

  get(traceId: string, spanId: string): IndexedSpan | undefined {
    const row = this.stmts.get.get(traceId, spanId) as Row | undefined;
    return row ? toSpan(row) : undefined;
  }

  /** Spans with this id in any trace (span ids are only unique per trace). */
  bySpanId(spanId: string): IndexedSpan[] {
    return (this.stmts.bySpanId.all(spanId) as Row[]).map(toSpan);
  }

  /** Completed spans after a watch cursor, in completion order. */
  completedAfter(seq: number, limit: number): IndexedSpan[] {
    return (this.stmts.doneAfter.all(seq, limit) as Row[]).map(toSpan);
  }

  /** Parent lookup for descendant selectors. */
  readonly parentOf = (traceId: string, spanId: string): SpanRecord | undefined => this.get(traceId, spanId);

  /**
   * A parent lookup for one unit of work (a query page, a watch step): memoized, because
   * siblings share ancestors, and budgeted, so a hostile parent chain cannot make one
   * request walk the index without end. `exhausted` turns true once the budget is spent.
   */
  parentLookup(budget = PARENT_LOOKUP_BUDGET): ParentLookup & { exhausted: boolean } {
    const memo = new Map<string, SpanRecord | undefined>();
    const lookup = ((traceId: string, spanId: string) => {
      const key = `${traceId}/${spanId}`;
      if (memo.has(key)) return memo.get(key);
      if (budget-- <= 0) {
        lookup.exhausted = true;
        return undefined;
      }
      const span = this.get(traceId, spanId);
      memo.set(key, span);
      return span;
    }) as ParentLookup & { exhausted: boolean };
    lookup.exhausted = false;
    return lookup;
  }

  matches(span: SpanRecord, selector: SelectorList, parentOf: ParentLookup = this.parentOf): boolean {
    return matches(span, selector, parentOf);
  }

  /**
   * Newest spans first. The selector becomes an indexed SQL prefilter and the matcher
   * decides; a page examines at most QUERY_SCAN_BUDGET rows, so a selector the indexes
   * cannot narrow answers quickly with fewer spans and a `next` cursor instead of scanning
   * a million rows.
   */
  query(q: SpanQuery): SpanPage {
    this.stats.queries++;
    const limit = Math.max(1, Math.min(q.limit, MAX_QUERY_LIMIT));
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.selector) {
      const f = selectorToSql(q.selector);
      where.push(f.where);
      params.push(...f.params);
    }
    if (q.traceId) {
      where.push('s.trace_id = ?');
      params.push(q.traceId);
    }
    if (q.since !== undefined) {
      where.push('s.start >= ?');
      params.push(q.since);
    }
    // Pages of rows by descending id; the matcher may look up parents between pages
    // (a connection cannot run statements while an iterator is open).
    const sql = `SELECT s.* FROM spans s WHERE ${[...where, 's.id < ?'].join(' AND ')} ORDER BY s.id DESC LIMIT ?`;
    const stmt = this.db.prepare(sql);
    const spans: IndexedSpan[] = [];
    let scanned = 0;
    let below = q.cursor ?? Number.MAX_SAFE_INTEGER;
    const parentOf = this.parentLookup();
    // Start with just enough rows for an exact prefilter, grow when the matcher rejects rows.
    let want = limit + 1;
    for (;;) {
      const chunk = Math.min(want, QUERY_PAGE_ROWS, QUERY_SCAN_BUDGET - scanned);
      want *= 4;
      const rows = stmt.all(...params, below, chunk) as Row[];
      for (const row of rows) {
        scanned++;
        const span = toSpan(row);
        const hit = !q.selector || this.matches(span, q.selector, parentOf);
        // Out of ancestor lookups: this row was not decided; the next page starts with it.
        if (parentOf.exhausted) return { spans, next: row.id + 1 };
        below = row.id;
        if (hit) spans.push(span);
        if (spans.length >= limit) return { spans, next: below > 1 ? below : null };
      }
      if (rows.length < chunk) return { spans, next: null };
      if (scanned >= QUERY_SCAN_BUDGET) return { spans, next: below > 1 ? below : null };
    }
  }

  /** Checks of a gate already recorded in a trace (the next one is attempt n + 1). */
  gateAttempts(gate: string, traceId: string): number {
    return this.stmts.gateAttempts.get(gate, traceId) as number;
  }

  gateStats(gate: string): GateStats {
    const r = this.stmts.gateStats.get(gate) as Omit<GateStats, 'first_attempt_pass_rate'>;
    return { ...r, first_attempt_pass_rate: r.first_attempts ? r.first_attempt_passes / r.first_attempts : null };
  }

  /** Newest first; `before` pages by seq. All gates when `gate` is null. */
  gateChecks(gate: string | null, limit: number, before = Number.MAX_SAFE_INTEGER): GateCheckRecord[] {
    const rows = (gate === null ? this.stmts.allGateChecks.all(before, limit) : this.stmts.gateChecks.all(gate, before, limit)) as (Omit<GateCheckRecord, 'requirements' | 'evidence'> & { data: string })[];
    return rows.map(({ data, ...r }) => {
      const d = JSON.parse(data) as Pick<GateCheckRecord, 'requirements' | 'evidence'>;
      return { ...r, requirements: d.requirements, evidence: d.evidence };
    });
  }

  /** Runs `fn` in one transaction on the index database (bulk loads in the bench). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}
