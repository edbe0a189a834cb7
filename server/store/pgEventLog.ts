/**
 * PostgreSQL backend of the event log (pooled `pg`), for multi-node mode: every node writes
 * to and tails the same log (DESIGN.md, "Multi-node mode: the log is the bus").
 *
 * Global order: an append takes a transaction-scoped advisory lock before it allocates seqs,
 * so batches from every writer on every node commit one after another and `seq` is global,
 * gap-free and in commit order (the lock is released after the commit is visible, so a
 * reader that sees seq N+1 also sees N). Inside the lock the batch is also checked for
 * duplicates, so idempotency per (scope, id) holds across nodes. Lamport stamps are stored as
 * the writer gave them (the contract, L4); across nodes the writer's clock learns every other
 * node's stamps from the log tail (LogTail), so a stamp follows whatever caused it.
 * Each commit NOTIFYs `xray_log` with the new head so tails wake at once.
 */
import pg from 'pg';
import type { XrayEvent } from '../../lib/protocol/events';
import type { AppendResult, EventLog, ReadQuery, StampedEvent, TraceListQuery, TraceSummaryRow } from './eventLog';
import { migratePg, PgSchemaTooNewError, RETENTION_LOCK, SEQ_LOCK, type PgMigrationReport } from './pgMigrations';
import { recordedText } from './recordedText';
import { foldTraceEvent, type TraceRollup } from './traceRollup';
import type { ExpireBatchResult } from './sqliteEventLog';
import { likeContaining } from './sqliteEventLog';
import { StorageHealth } from './storageHealth';

/** The channel every commit notifies, with the new head as payload. */
export const LOG_CHANNEL = 'xray_log';


export interface PgOpenOptions {
  health?: StorageHealth;
  /** Pool size (connections per node). */
  poolSize?: number;
  /** How long a query may wait for a connection before it fails (ms). */
  connectTimeoutMs?: number;
}

interface Row {
  seq: string;
  id: string;
  ts: string;
  t: number | null;
  kind: string;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  agent: string;
  peer: string | null;
  topic: string | null;
  lamport: string;
  data: string;
}

const EVENT_COLUMNS = 'seq, id, ts, t, kind, trace_id, span_id, parent_span_id, agent, peer, topic, lamport, data';

function rowToEvent(r: Row): XrayEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    ts: Number(r.ts),
    t: r.t,
    kind: r.kind,
    trace_id: r.trace_id,
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    agent: r.agent,
    peer: r.peer,
    topic: r.topic,
    lamport: Number(r.lamport),
    data: JSON.parse(r.data),
  } as XrayEvent;
}

export class PgEventLog implements EventLog {
  readonly health: StorageHealth;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly url: string,
    readonly migration: PgMigrationReport,
    health: StorageHealth,
  ) {
    this.health = health;
  }

  /** Connects, creates or migrates the schema, and returns the log. Throws when PostgreSQL cannot be reached. */
  static async open(url: string, options: PgOpenOptions = {}): Promise<PgEventLog> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 8,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'xray',
    });
    // A connection dropped while idle (PostgreSQL restarted) must not crash the process: the
    // next query gets a fresh one, or fails and is answered with storage_unavailable.
    pool.on('error', (err) => console.error(`[store] PostgreSQL connection lost while idle: ${err.message}`));
    // Every connection gets a listener for its lifetime: a server that goes away makes a client
    // emit 'error' besides failing its query — also while it is being released or closed, when
    // neither the pool nor a caller listens. Unheard, that would be an uncaught exception; the
    // failed query (or the pool's own event) is what reports it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    let migration: PgMigrationReport;
    try {
      const client = await pool.connect();
      const onError = () => undefined; // the failed query reports it (see transaction())
      client.on('error', onError);
      try {
        migration = await migratePg(client);
      } finally {
        client.off('error', onError);
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof PgSchemaTooNewError) throw err;
      throw err;
    }
    return new PgEventLog(pool, url, migration, options.health ?? new StorageHealth());
  }

  /** Runs `fn` in one transaction on one pooled connection. */
  /** `begin`: the statement(s) opening the transaction, sent as one round trip (no parameters). */
  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client whose server goes away emits 'error' besides failing its query; with
    // no listener that would be an uncaught exception. The failed query answers the caller.
    const onError = () => void (broken = true);
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not hand it back to the pool
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async append(events: readonly StampedEvent[]): Promise<AppendResult[]> {
    if (!events.length) return [];
    try {
      // The seq lock is taken in the same round trip as BEGIN (a constant: no parameter needed).
      return await this.transaction((c) => this.appendInTx(c, events), `BEGIN; SELECT pg_advisory_xact_lock(${SEQ_LOCK})`);
    } catch (err) {
      throw this.health.fail(err, 'write');
    }
  }

  private async appendInTx(c: pg.PoolClient, events: readonly StampedEvent[]): Promise<AppendResult[]> {
    // The seq lock is held (taken with BEGIN). One statement — a snapshot taken after the lock —
    // reads the head, the batch's ids already stored, and the agents its traces' summaries list.
    const scopes = events.map((e) => e.scope ?? '');
    const ids = events.map((e) => e.id);
    const traceIds = [...new Set(events.map((e) => e.trace_id).filter((t): t is string => !!t))];
    const state = (
      await c.query<{ head: string; existing: [string, string, number][]; traces: [string, string[]][] }>(
        `SELECT (SELECT head FROM xray_log_head) AS head,
           COALESCE((SELECT json_agg(json_build_array(e.scope, e.id, e.seq)) FROM xray_events e JOIN unnest($1::text[], $2::text[]) AS k(scope, id) ON e.scope = k.scope AND e.id = k.id), '[]') AS existing,
           COALESCE((SELECT json_agg(json_build_array(trace_id, agents)) FROM xray_traces WHERE trace_id = ANY($3::text[])), '[]') AS traces`,
        [scopes, ids, traceIds],
      )
    ).rows[0];
    const head = Number(state.head);
    const key = (scope: string, id: string) => `${scope}\u0000${id}`;
    const known = new Map<string, number>();
    for (const [scope, id, seq] of state.existing) known.set(key(scope, id), Number(seq));
    const traces = new Map<string, TraceRollup>();
    // The agents each trace's stored summary lists, which the batch's rollup starts from.
    const storedAgents = new Map<string, string[]>(state.traces);

    const results: AppendResult[] = [];
    const cols = { seq: [] as number[], scope: [] as string[], id: [] as string[], ts: [] as number[], t: [] as (number | null)[], kind: [] as string[], trace_id: [] as (string | null)[], span_id: [] as (string | null)[], parent_span_id: [] as (string | null)[], agent: [] as string[], peer: [] as (string | null)[], topic: [] as (string | null)[], lamport: [] as number[], data: [] as string[], search: [] as string[] };
    let next = head;
    for (const e of events) {
      const scope = e.scope ?? '';
      const dup = known.get(key(scope, e.id));
      if (dup !== undefined) {
        results.push({ id: e.id, seq: dup, duplicate: true });
        continue;
      }
      const seq = ++next;
      known.set(key(scope, e.id), seq);
      results.push({ id: e.id, seq, duplicate: false });
      const lamport = e.lamport;
      if (e.trace_id) {
        foldTraceEvent(traces, e.trace_id, e, seq, (traceId) => storedAgents.get(traceId));
      }
      cols.seq.push(seq);
      cols.scope.push(scope);
      cols.id.push(e.id);
      cols.ts.push(e.ts);
      cols.t.push(e.t ?? null);
      cols.kind.push(e.kind);
      cols.trace_id.push(e.trace_id);
      cols.span_id.push(e.span_id);
      cols.parent_span_id.push(e.parent_span_id);
      cols.agent.push(e.agent);
      cols.peer.push(e.peer);
      cols.topic.push(e.topic);
      cols.lamport.push(lamport);
      cols.data.push(JSON.stringify(e.data));
      // text[][] cannot be ragged: each event's recorded text travels as one JSON array.
      cols.search.push(JSON.stringify(recordedText(e.data)));
    }
    if (next === head) return results;
    // One statement writes everything (data-modifying CTEs all run): the events, the trace
    // rollups, the head, and the notification delivered to every LISTENing node at commit.
    const tr = [...traces];
    await c.query(
      `WITH ins AS (
         INSERT INTO xray_events (seq, scope, id, ts, t, kind, trace_id, span_id, parent_span_id, agent, peer, topic, lamport, data, search)
         SELECT u.seq, u.scope, u.id, u.ts, u.t, u.kind, u.trace_id, u.span_id, u.parent_span_id, u.agent, u.peer, u.topic, u.lamport, u.data,
                ARRAY(SELECT json_array_elements_text(u.search::json))
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::text[], $15::text[])
           AS u(seq, scope, id, ts, t, kind, trace_id, span_id, parent_span_id, agent, peer, topic, lamport, data, search)
         RETURNING 1
       ), tr AS (
         INSERT INTO xray_traces AS x (trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, max_lamport, agents)
         SELECT u.trace_id, u.first_seq, u.last_seq, u.start_ts, u.end_ts, u.events, u.errors, u.max_lamport, ARRAY(SELECT json_array_elements_text(u.agents::json))
         FROM unnest($16::text[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[], $24::text[])
           AS u(trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, max_lamport, agents)
         ON CONFLICT (trace_id) DO UPDATE SET last_seq = excluded.last_seq, end_ts = GREATEST(x.end_ts, excluded.end_ts),
           start_ts = LEAST(x.start_ts, excluded.start_ts), events = x.events + excluded.events, errors = x.errors + excluded.errors,
           max_lamport = GREATEST(x.max_lamport, excluded.max_lamport), agents = excluded.agents
         RETURNING 1
       ), h AS (
         UPDATE xray_log_head SET head = $25 RETURNING head
       )
       SELECT pg_notify($26, h.head::text) FROM h`,
      [
        cols.seq, cols.scope, cols.id, cols.ts, cols.t, cols.kind, cols.trace_id, cols.span_id, cols.parent_span_id, cols.agent, cols.peer, cols.topic, cols.lamport, cols.data, cols.search,
        tr.map(([id]) => id), tr.map(([, t]) => t.first), tr.map(([, t]) => t.seq), tr.map(([, t]) => t.first_ts), tr.map(([, t]) => t.ts), tr.map(([, t]) => t.events), tr.map(([, t]) => t.errors), tr.map(([, t]) => t.lamport), tr.map(([, t]) => JSON.stringify([...t.agents])),
        next,
        LOG_CHANNEL,
      ],
    );
    return results;
  }

  /** Runs a read; a failure is recorded and answered with a coded error when it is the database's. */
  private async reading<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.health.fail(err, 'read');
    }
  }

  async head(): Promise<number> {
    return this.reading(async () => Number((await this.pool.query<{ head: string }>('SELECT head FROM xray_log_head')).rows[0].head));
  }

  async read(q: ReadQuery): Promise<XrayEvent[]> {
    return this.reading(async () => {
      const where: string[] = ['seq > $1'];
      const params: unknown[] = [q.after ?? 0];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (q.upTo !== undefined) where.push(`seq <= ${p(q.upTo)}`);
      if (q.traceId) where.push(`trace_id = ${p(q.traceId)}`);
      if (q.topic) where.push(`topic = ${p(q.topic)}`);
      if (q.agent) {
        const a = p(q.agent);
        where.push(`(agent = ${a} OR peer = ${a})`);
      }
      if (q.kinds?.length) where.push(`kind = ANY(${p([...q.kinds])}::text[])`);
      const limit = p(Math.max(1, Math.min(q.limit ?? 1000, 1_000_000)));
      const rows = await this.pool.query<Row>(`SELECT ${EVENT_COLUMNS} FROM xray_events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${limit}`, params);
      return rows.rows.map(rowToEvent);
    });
  }

  async seqOf(id: string, scope = ''): Promise<number | undefined> {
    return this.reading(async () => {
      const r = await this.pool.query<{ seq: string }>('SELECT seq FROM xray_events WHERE scope = $1 AND id = $2', [scope, id]);
      return r.rows.length ? Number(r.rows[0].seq) : undefined;
    });
  }

  async maxLamport(traceId: string): Promise<number> {
    return this.reading(async () => {
      const r = await this.pool.query<{ max_lamport: string }>('SELECT max_lamport FROM xray_traces WHERE trace_id = $1', [traceId]);
      return r.rows.length ? Number(r.rows[0].max_lamport) : 0;
    });
  }

  async listTraces(q: TraceListQuery): Promise<TraceSummaryRow[]> {
    // A pattern text cannot hold (NUL) matches nothing rather than everything.
    if (q.text?.includes('\0')) return [];
    return this.reading(async () => {
      const where: string[] = ['true'];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (q.before !== undefined) where.push(`last_seq < ${p(q.before)}`);
      if (q.after !== undefined) where.push(`last_seq > ${p(q.after)}`);
      if (q.status === 'error') where.push('errors > 0');
      if (q.status === 'ok') where.push('errors = 0');
      if (q.since !== undefined) where.push(`end_ts >= ${p(q.since)}`);
      if (q.until !== undefined) where.push(`start_ts <= ${p(q.until)}`);
      if (q.agent) where.push(`${p(q.agent)} = ANY(agents)`);
      if (q.text) {
        // ILIKE: case-insensitive like SQLite's LIKE; the pattern's own %, _ and \ are escaped.
        const text = p(likeContaining(q.text));
        if ([...q.text].length >= 3) {
          // The trigram index (pg migration 003) finds the events whose joined text contains
          // it (a necessary condition); each is confirmed value by value, never across two.
          where.push(`(trace_id ILIKE ${text} OR trace_id IN (SELECT e.trace_id FROM xray_events e WHERE e.trace_id IS NOT NULL AND xray_search_text(e.search) ILIKE ${text} AND EXISTS (SELECT 1 FROM unnest(e.search) s WHERE s ILIKE ${text})))`);
        } else {
          // Under 3 characters a trigram index has nothing to look up: each trace's events (searchTraces bounds how many traces).
          where.push(`(trace_id ILIKE ${text} OR EXISTS (SELECT 1 FROM xray_events e, unnest(e.search) s WHERE e.trace_id = xray_traces.trace_id AND s ILIKE ${text}))`);
        }
      }
      const limit = p(Math.max(1, Math.min(q.limit ?? 50, 500)));
      const rows = await this.pool.query<{ trace_id: string; first_seq: string; last_seq: string; start_ts: string; end_ts: string; events: string; errors: string; agents: string[] }>(
        `SELECT trace_id, first_seq, last_seq, start_ts, end_ts, events, errors, agents FROM xray_traces WHERE ${where.join(' AND ')} ORDER BY last_seq DESC LIMIT ${limit}`,
        params,
      );
      return rows.rows.map((r) => ({
        trace_id: r.trace_id,
        first_seq: Number(r.first_seq),
        last_seq: Number(r.last_seq),
        start_ts: Number(r.start_ts),
        end_ts: Number(r.end_ts),
        events: Number(r.events),
        errors: Number(r.errors),
        agents: r.agents,
      }));
    });
  }

  async floor(): Promise<number> {
    return this.reading(async () => {
      const r = await this.pool.query<{ value: string }>("SELECT value FROM xray_meta WHERE key = 'retention_floor'");
      return r.rows.length ? Number(r.rows[0].value) : 0;
    });
  }

  async oldestSeq(): Promise<number> {
    return this.reading(async () => {
      const r = await this.pool.query<{ m: string | null; head: string }>('SELECT (SELECT MIN(seq) FROM xray_events) AS m, (SELECT head FROM xray_log_head) AS head');
      return r.rows[0].m !== null ? Number(r.rows[0].m) : Number(r.rows[0].head) + 1;
    });
  }

  async isExpiredTrace(traceId: string): Promise<boolean> {
    return this.reading(async () => (await this.pool.query('SELECT 1 FROM xray_expired_traces WHERE trace_id = $1', [traceId])).rows.length > 0);
  }

  /**
   * One bounded step of retention, as SqliteEventLog.expireBatch (same walk, same rules: a
   * trace goes as a whole, deleted traces leave a tombstone). Only one node runs a step at a
   * time: another node's step that finds the lock taken does nothing and reports not done.
   */
  async expireBatch(cutoffTs: number, maxRows: number, now = Date.now()): Promise<ExpireBatchResult & { busy?: true }> {
    try {
      return await this.transaction(async (c) => {
        const locked = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK.toString()])).rows[0].ok;
        if (!locked) return { deleted: 0, traces: 0, done: false, busy: true };
        const floorRow = await c.query<{ value: string }>("SELECT value FROM xray_meta WHERE key = 'retention_floor'");
        const startFloor = floorRow.rows.length ? Number(floorRow.rows[0].value) : 0;
        let floor = startFloor;
        let budget = maxRows;
        let deleted = 0;
        let traces = 0;
        let walked = false;
        // 1. Walk up from the floor.
        const rows = (await c.query<{ seq: string; ts: string; trace_id: string | null }>('SELECT seq, ts, trace_id FROM xray_events WHERE seq > $1 ORDER BY seq LIMIT $2', [floor, budget])).rows;
        const ids = [...new Set(rows.map((r) => r.trace_id).filter((t): t is string => !!t))];
        const ends = new Map<string, number>();
        if (ids.length) for (const r of (await c.query<{ trace_id: string; end_ts: string }>('SELECT trace_id, end_ts FROM xray_traces WHERE trace_id = ANY($1::text[])', [ids])).rows) ends.set(r.trace_id, Number(r.end_ts));
        const doomed: number[] = [];
        let looked = 0;
        for (const r of rows) {
          if (Number(r.ts) >= cutoffTs) {
            walked = true;
            break;
          }
          if (!r.trace_id || (ends.get(r.trace_id) ?? -Infinity) < cutoffTs) doomed.push(Number(r.seq));
          budget--;
          looked++;
          floor = Number(r.seq);
        }
        if (rows.length < maxRows && looked === rows.length) walked = true;
        if (doomed.length) deleted += (await c.query('DELETE FROM xray_events WHERE seq = ANY($1::bigint[])', [doomed])).rowCount ?? 0;
        if (floor !== startFloor) await c.query("INSERT INTO xray_meta (key, value) VALUES ('retention_floor', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [floor]);
        // 2. Traces entirely at or below the floor that have now ended before the cutoff.
        let leftoversDone = true;
        if (budget > 0) {
          const leftovers = (await c.query<{ trace_id: string }>('SELECT trace_id FROM xray_traces WHERE last_seq <= $1 AND end_ts < $2 LIMIT 16', [floor, cutoffTs])).rows.map((r) => r.trace_id);
          if (leftovers.length === 16) leftoversDone = false;
          for (const traceId of leftovers) {
            if (budget <= 0) {
              leftoversDone = false;
              break;
            }
            const n = (await c.query('DELETE FROM xray_events WHERE seq IN (SELECT seq FROM xray_events WHERE trace_id = $1 ORDER BY seq LIMIT $2)', [traceId, budget])).rowCount ?? 0;
            deleted += n;
            budget -= n;
            if (budget > 0) {
              await c.query('DELETE FROM xray_traces WHERE trace_id = $1', [traceId]);
              await c.query('INSERT INTO xray_expired_traces (trace_id, expired_at) VALUES ($1, $2) ON CONFLICT (trace_id) DO UPDATE SET expired_at = excluded.expired_at', [traceId, now]);
              traces++;
            } else leftoversDone = false;
          }
        } else leftoversDone = false;
        return { deleted, traces, done: walked && leftoversDone };
      });
    } catch (err) {
      throw this.health.fail(err, 'write');
    }
  }

  /** Forgets tombstones of traces expired before `before`, at most `limit` of them. */
  async pruneTombstones(before: number, limit: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM xray_expired_traces WHERE trace_id IN (SELECT trace_id FROM xray_expired_traces WHERE expired_at < $1 LIMIT $2)', [before, limit]);
    return r.rowCount ?? 0;
  }

  /** A small committed write, to find out whether PostgreSQL is writable again. Throws if not. */
  async probeWrite(): Promise<void> {
    await this.pool.query("INSERT INTO xray_meta (key, value) VALUES ('probe', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [Date.now()]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
