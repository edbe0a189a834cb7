/**
 * The append-only event log, as an interface so another backend (Redis Streams, Postgres)
 * can be added later and checked by the same contract suite (eventLog.contract.ts).
 */
import type { TraceSummary } from '../../lib/protocol/api';
import type { EventKind, NewEvent, XrayEvent } from '../../lib/protocol/events';

export type StampedEvent = NewEvent & { lamport: number };

/** What happened to one appended event: stored under a new seq, or a duplicate of an earlier one. */
export interface AppendResult {
  id: string;
  seq: number;
  duplicate: boolean;
}

export interface ReadQuery {
  /** Exclusive lower bound. */
  after?: number;
  /** Inclusive upper bound. */
  upTo?: number;
  limit?: number;
  traceId?: string;
  topic?: string;
  agent?: string;
  kinds?: readonly EventKind[];
}

export type TraceSummaryRow = TraceSummary;

export interface TraceListQuery {
  agent?: string;
  status?: 'ok' | 'error';
  since?: number;
  until?: number;
  text?: string;
  limit?: number;
  /** Page cursor: only traces whose last_seq is below this. */
  before?: number;
  /** Only traces whose last_seq is above this (bounds one text search step). */
  after?: number;
}

export interface EventLog {
  /** Appends in one transaction; duplicates (same id) are not stored again. Atomic: all or nothing. */
  append(events: readonly StampedEvent[]): AppendResult[];
  /** The highest seq stored (0 when empty). */
  head(): number;
  read(query: ReadQuery): XrayEvent[];
  seqOf(id: string): number | undefined;
  /** Highest lamport stored for a trace (0 when unknown), to resume clocks after a restart. */
  maxLamport(traceId: string): number;
  listTraces(query: TraceListQuery): TraceSummaryRow[];
  close(): void;
}
