/**
 * An EventLog in plain memory (arrays and Maps, no SQL): the second implementation that keeps
 * the contract suite honest about the interface rather than SQLite, and a fast log for unit
 * tests of the relay and the fanout. Not durable: everything is gone with the process.
 *
 * It mirrors the SQLite backend's observable behaviour (SPEC.md L1–L10), including its quirks
 * that callers can see: the default and maximum read limits, trace summaries rolled up once
 * per appended batch, at most 64 agents per trace, and text search over recorded values only.
 */
import { XrayError } from '../../lib/protocol/errors';
import type { XrayEvent } from '../../lib/protocol/events';
import type { AppendResult, EventLog, ReadQuery, StampedEvent, TraceListQuery, TraceSummaryRow } from './eventLog';
import { SEARCHABLE_FIELDS } from './searchableText';
import { foldTraceEvent, type TraceRollup } from './traceRollup';

interface TraceRow {
  first_seq: number;
  last_seq: number;
  start_ts: number;
  end_ts: number;
  events: number;
  errors: number;
  max_lamport: number;
  agents: string[];
}

const scopedKey = (scope: string, id: string) => `${scope}\u0000${id}`;

/** What every stored event must have (NOT NULL in the SQLite schema). */
const REQUIRED = ['id', 'ts', 'kind', 'agent', 'lamport', 'data'] as const;

/** SQLite's LIKE folds ASCII letters only; the search here does the same. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/** A JSON scalar as SQLite's json_tree atom compares under LIKE (true → 1, null → no value). */
function atomText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return null;
}

/** The recorded text values of an event: its searchable top-level fields and every attribute value. */
function* recordedText(data: unknown): Generator<string> {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return;
  for (const [key, value] of Object.entries(data)) {
    if (key === 'attributes' && value && typeof value === 'object') {
      for (const attr of Object.values(value)) {
        const t = atomText(attr);
        if (t !== null) yield t;
      }
    }
    if (SEARCHABLE_FIELDS.includes(key)) {
      const t = atomText(value);
      if (t !== null) yield t;
    }
  }
}

export class MemoryEventLog implements EventLog {
  /** Stored events in seq order (retention removes from anywhere, so not a plain ring). */
  private events: (XrayEvent & { scope: string })[] = [];
  private readonly ids = new Map<string, number>();
  private readonly traces = new Map<string, TraceRow>();
  /** Deleted traces, with when they were deleted. */
  private readonly expired = new Map<string, number>();
  private nextSeq = 1;
  private floorSeq = 0;
  private closed = false;

  private check(): void {
    if (this.closed) throw new Error('the event log is closed');
  }

  async append(batch: readonly StampedEvent[]): Promise<AppendResult[]> {
    this.check();
    // Validated in full before anything is stored, so a batch is all or nothing (L10): the
    // fields the SQLite schema holds NOT NULL, and data that survives a JSON round trip.
    for (const e of batch) {
      const missing = REQUIRED.find((f) => e[f] === null || e[f] === undefined);
      if (missing) throw new XrayError('storage_failed', `the events were refused by the log (${missing} is missing); nothing was stored`);
    }
    const data = batch.map((e) => JSON.parse(JSON.stringify(e.data)) as unknown);
    const results: AppendResult[] = [];
    const rollups = new Map<string, TraceRollup>();
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i];
      const scope = e.scope ?? '';
      const known = this.ids.get(scopedKey(scope, e.id));
      if (known !== undefined) {
        results.push({ id: e.id, seq: known, duplicate: true });
        continue;
      }
      const seq = this.nextSeq++;
      this.ids.set(scopedKey(scope, e.id), seq);
      const { lamport, scope: _scope, ...rest } = e;
      this.events.push({ ...rest, seq, lamport, data: data[i], scope } as XrayEvent & { scope: string });
      results.push({ id: e.id, seq, duplicate: false });
      if (!e.trace_id) continue;
      foldTraceEvent(rollups, e.trace_id, e, seq, (traceId) => this.traces.get(traceId)?.agents);
    }
    for (const [traceId, t] of rollups) {
      const row = this.traces.get(traceId);
      if (!row) {
        this.traces.set(traceId, { first_seq: t.first, last_seq: t.seq, start_ts: t.first_ts, end_ts: t.ts, events: t.events, errors: t.errors, max_lamport: t.lamport, agents: [...t.agents] });
        continue;
      }
      row.last_seq = t.seq;
      row.end_ts = Math.max(row.end_ts, t.ts);
      row.start_ts = Math.min(row.start_ts, t.first_ts);
      row.events += t.events;
      row.errors += t.errors;
      row.max_lamport = Math.max(row.max_lamport, t.lamport);
      row.agents = [...t.agents];
    }
    return results;
  }

  async head(): Promise<number> {
    this.check();
    return this.nextSeq - 1;
  }

  /** Index of the first stored event with seq > after. */
  private indexAfter(after: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async read(q: ReadQuery): Promise<XrayEvent[]> {
    this.check();
    const limit = Math.max(1, Math.min(q.limit ?? 1000, 1_000_000));
    const kinds = q.kinds?.length ? new Set<string>(q.kinds) : null;
    const out: XrayEvent[] = [];
    for (let i = this.indexAfter(q.after ?? 0); i < this.events.length && out.length < limit; i++) {
      const e = this.events[i];
      if (q.upTo !== undefined && e.seq > q.upTo) break;
      if (q.traceId && e.trace_id !== q.traceId) continue;
      if (q.topic && e.topic !== q.topic) continue;
      if (q.agent && e.agent !== q.agent && e.peer !== q.agent) continue;
      if (kinds && !kinds.has(e.kind)) continue;
      // A copy, like a row read from disk: callers may not change what is stored.
      const { scope: _scope, ...event } = e;
      out.push({ ...event, data: JSON.parse(JSON.stringify(e.data)) } as XrayEvent);
    }
    return out;
  }

  async seqOf(id: string, scope = ''): Promise<number | undefined> {
    this.check();
    return this.ids.get(scopedKey(scope, id));
  }

  async maxLamport(traceId: string): Promise<number> {
    this.check();
    return this.traces.get(traceId)?.max_lamport ?? 0;
  }

  async listTraces(q: TraceListQuery): Promise<TraceSummaryRow[]> {
    this.check();
    const limit = Math.max(1, Math.min(q.limit ?? 50, 500));
    if (q.text?.includes('\0')) return [];
    const needle = q.text ? asciiLower(q.text) : null;
    const rows = [...this.traces].sort((a, b) => b[1].last_seq - a[1].last_seq);
    const out: TraceSummaryRow[] = [];
    for (const [trace_id, t] of rows) {
      if (out.length >= limit) break;
      if (q.before !== undefined && !(t.last_seq < q.before)) continue;
      if (q.after !== undefined && !(t.last_seq > q.after)) continue;
      if (q.status === 'error' && t.errors === 0) continue;
      if (q.status === 'ok' && t.errors > 0) continue;
      if (q.since !== undefined && t.end_ts < q.since) continue;
      if (q.until !== undefined && t.start_ts > q.until) continue;
      if (q.agent && !t.agents.includes(q.agent)) continue;
      if (needle !== null && !asciiLower(trace_id).includes(needle) && !this.traceHasText(trace_id, needle)) continue;
      out.push({ trace_id, first_seq: t.first_seq, last_seq: t.last_seq, start_ts: t.start_ts, end_ts: t.end_ts, events: t.events, errors: t.errors, agents: [...t.agents] });
    }
    return out;
  }

  private traceHasText(traceId: string, needle: string): boolean {
    for (const e of this.events) {
      if (e.trace_id !== traceId) continue;
      for (const text of recordedText(e.data)) if (asciiLower(text).includes(needle)) return true;
    }
    return false;
  }

  async floor(): Promise<number> {
    this.check();
    return this.floorSeq;
  }

  async oldestSeq(): Promise<number> {
    this.check();
    return this.events.length ? this.events[0].seq : this.nextSeq;
  }

  async isExpiredTrace(traceId: string): Promise<boolean> {
    this.check();
    return this.expired.has(traceId);
  }

  /**
   * Retention, as the SQLite backend does it (in one step: memory has no transaction to bound):
   * deletes every event received before `cutoffTs` except those of a trace whose last event is
   * at or after it (a trace goes as a whole), raises the floor past what it walked, and leaves
   * a tombstone for each deleted trace.
   */
  expireBefore(cutoffTs: number, now = Date.now()): void {
    this.check();
    let floor = this.floorSeq;
    const keep: (XrayEvent & { scope: string })[] = [];
    let walking = true;
    for (const e of this.events) {
      if (walking && e.seq > floor && e.ts >= cutoffTs) walking = false;
      if (!walking || e.seq <= floor) {
        keep.push(e);
        continue;
      }
      floor = e.seq;
      const end = e.trace_id ? (this.traces.get(e.trace_id)?.end_ts ?? -Infinity) : -Infinity;
      if (end >= cutoffTs) keep.push(e);
    }
    // Nothing stored past the floor was walked: the floor is where the walk stopped.
    this.floorSeq = floor;
    const gone = new Set<string>();
    for (const [traceId, t] of this.traces) if (t.last_seq <= floor && t.end_ts < cutoffTs) gone.add(traceId);
    const kept = keep.filter((e) => !(e.trace_id && gone.has(e.trace_id)));
    // A deleted event's id is free again, as its row is in SQLite.
    if (kept.length !== this.events.length) {
      const still = new Set(kept);
      for (const e of this.events) if (!still.has(e)) this.ids.delete(scopedKey(e.scope, e.id));
    }
    this.events = kept;
    for (const traceId of gone) {
      this.traces.delete(traceId);
      this.expired.set(traceId, now);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
