/**
 * SQLite backend (better-sqlite3, WAL). Durable against a process crash once `append`
 * returns: WAL + synchronous=NORMAL commits survive SIGKILL (not power loss; set
 * XRAY_SYNC=FULL for that). Trace summaries are maintained in the same transaction so the
 * trace list never scans the event table.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { XrayEvent } from '../../lib/protocol/events';
import type { AppendResult, EventLog, ReadQuery, StampedEvent, TraceListQuery, TraceSummaryRow } from './eventLog';

const SCHEMA = `
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
`;

interface Row {
  seq: number;
  id: string;
  ts: number;
  t: number | null;
  kind: string;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  agent: string;
  peer: string | null;
  topic: string | null;
  lamport: number;
  data: string;
}

function rowToEvent(row: Row): XrayEvent {
  return { ...row, data: JSON.parse(row.data) } as XrayEvent;
}

const ERROR_KINDS = new Set(['call.error', 'call.timeout']);

export class SqliteEventLog implements EventLog {
  private readonly db: Database.Database;
  private nextSeq: number;
  private readonly insert: Database.Statement;
  private readonly bySeqOfId: Database.Statement;
  private readonly upsertTrace: Database.Statement;
  private readonly getTrace: Database.Statement;
  private readonly appendTx: (events: readonly StampedEvent[]) => AppendResult[];

  static open(dataDir: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): SqliteEventLog {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, 'events.db');
    const db = new Database(file);
    // The log holds agents' payloads: never world-readable.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
    return new SqliteEventLog(db, synchronous);
  }

  static inMemory(): SqliteEventLog {
    return new SqliteEventLog(new Database(':memory:'), 'NORMAL');
  }

  private constructor(db: Database.Database, synchronous: 'NORMAL' | 'FULL') {
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('temp_store = MEMORY');
    db.exec(SCHEMA);
    this.nextSeq = ((db.prepare('SELECT MAX(seq) AS m FROM events').get() as { m: number | null }).m ?? 0) + 1;
    this.insert = db.prepare(
      `INSERT INTO events (seq,id,ts,t,kind,trace_id,span_id,parent_span_id,agent,peer,topic,lamport,data)
       VALUES (@seq,@id,@ts,@t,@kind,@trace_id,@span_id,@parent_span_id,@agent,@peer,@topic,@lamport,@data)
       ON CONFLICT(id) DO NOTHING`, // only a duplicate id is skipped; any other violation aborts the batch,
    );
    this.bySeqOfId = db.prepare('SELECT seq FROM events WHERE id = ?').pluck();
    this.getTrace = db.prepare('SELECT agents FROM traces WHERE trace_id = ?').pluck();
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, max_lamport, agents)
       VALUES (@trace_id, @first, @seq, @first_ts, @ts, @events, @errors, @lamport, @agents)
       ON CONFLICT(trace_id) DO UPDATE SET last_seq = @seq, end_ts = MAX(end_ts, @ts), start_ts = MIN(start_ts, @first_ts),
         events = events + @events, errors = errors + @errors, max_lamport = MAX(max_lamport, @lamport), agents = @agents`,
    );
    this.appendTx = db.transaction((events: readonly StampedEvent[]) => this.appendInTx(events));
  }

  private appendInTx(events: readonly StampedEvent[]): AppendResult[] {
    const results: AppendResult[] = [];
    // Per-trace rollups for this batch, written once per trace rather than once per event.
    const traces = new Map<string, { first: number; first_ts: number; seq: number; ts: number; events: number; errors: number; lamport: number; agents: Set<string> }>();
    for (const e of events) {
      const seq = this.nextSeq;
      const info = this.insert.run({
        seq,
        id: e.id,
        ts: e.ts,
        t: e.t,
        kind: e.kind,
        trace_id: e.trace_id,
        span_id: e.span_id,
        parent_span_id: e.parent_span_id,
        agent: e.agent,
        peer: e.peer,
        topic: e.topic,
        lamport: e.lamport,
        data: JSON.stringify(e.data),
      });
      if (info.changes === 0) {
        results.push({ id: e.id, seq: this.bySeqOfId.get(e.id) as number, duplicate: true });
        continue;
      }
      this.nextSeq++;
      results.push({ id: e.id, seq, duplicate: false });
      if (e.trace_id) {
        let t = traces.get(e.trace_id);
        if (!t) {
          const known = this.getTrace.get(e.trace_id) as string | undefined;
          t = { first: seq, first_ts: e.ts, seq, ts: e.ts, events: 0, errors: 0, lamport: 0, agents: new Set(known ? (JSON.parse(known) as string[]) : []) };
          traces.set(e.trace_id, t);
        }
        t.seq = seq;
        t.ts = Math.max(t.ts, e.ts);
        t.events++;
        t.lamport = Math.max(t.lamport, e.lamport);
        if (ERROR_KINDS.has(e.kind) || (e.kind === 'span.end' && e.data.status === 'error')) t.errors++;
        if (t.agents.size < 64) {
          t.agents.add(e.agent);
          if (e.peer) t.agents.add(e.peer);
        }
      }
    }
    for (const [trace_id, t] of traces) {
      this.upsertTrace.run({ trace_id, first: t.first, first_ts: t.first_ts, seq: t.seq, ts: t.ts, events: t.events, errors: t.errors, lamport: t.lamport, agents: JSON.stringify([...t.agents]) });
    }
    return results;
  }

  append(events: readonly StampedEvent[]): AppendResult[] {
    const before = this.nextSeq;
    try {
      return this.appendTx(events);
    } catch (err) {
      this.nextSeq = before; // the transaction rolled back: reuse the seqs
      throw err;
    }
  }

  head(): number {
    return this.nextSeq - 1;
  }

  read(q: ReadQuery): XrayEvent[] {
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
    const rows = this.db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`).all(params) as Row[];
    return rows.map(rowToEvent);
  }

  seqOf(id: string): number | undefined {
    return this.bySeqOfId.get(id) as number | undefined;
  }

  maxLamport(traceId: string): number {
    const v = this.db.prepare('SELECT max_lamport FROM traces WHERE trace_id = ?').pluck().get(traceId) as number | undefined;
    return v ?? 0;
  }

  listTraces(q: TraceListQuery): TraceSummaryRow[] {
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
    if (q.text) {
      where.push("(trace_id LIKE @text ESCAPE '\\' OR EXISTS (SELECT 1 FROM events e WHERE e.trace_id = traces.trace_id AND e.data LIKE @text ESCAPE '\\'))");
      params.text = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const rows = this.db
      .prepare(`SELECT trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, agents FROM traces WHERE ${where.join(' AND ')} ORDER BY last_seq DESC LIMIT @limit`)
      .all(params) as (Omit<TraceSummaryRow, 'agents'> & { agents: string })[];
    return rows.map((r) => ({ ...r, agents: JSON.parse(r.agents) as string[] }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
