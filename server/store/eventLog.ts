/**
 * The append-only event log, as an interface so another backend (PostgreSQL, the in-memory
 * log) is checked by the same contract suite (server/testing/eventLogContract.ts, SPEC.md L*).
 *
 * Every method returns a Promise: a networked backend cannot answer synchronously. Calls are
 * batched so a backend pays one round trip per call, never one per event: the writer commits
 * a whole transaction with one `append`, and readers page with a bounded `limit`.
 */
import type { TraceSummary } from '../../lib/protocol/api';
import type { EventKind, NewEvent, XrayEvent } from '../../lib/protocol/events';

/**
 * Whose idempotency id this is: ids are unique per scope, never across scopes (G3), so no
 * sender can claim another's ids. Store-side only: never part of the event on the wire.
 * '' for events the server mints ids for.
 */
export type ScopedEvent = NewEvent & { scope?: string };

export type StampedEvent = ScopedEvent & { lamport: number };

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
  /** Appends in one transaction; duplicates (same scope and id) are not stored again. Atomic: all or nothing. */
  append(events: readonly StampedEvent[]): Promise<AppendResult[]>;
  /** The highest seq stored (0 when empty). */
  head(): Promise<number>;
  /** Events matching the query in seq order, at most `limit` (a backend may cap it): page with `after`. */
  read(query: ReadQuery): Promise<XrayEvent[]>;
  /** The seq of the event stored under `id` in `scope` ('' = server-minted ids). */
  seqOf(id: string, scope?: string): Promise<number | undefined>;
  /** Highest lamport stored for a trace (0 when unknown), to resume clocks after a restart. */
  maxLamport(traceId: string): Promise<number>;
  listTraces(query: TraceListQuery): Promise<TraceSummaryRow[]>;
  /**
   * Optional: whether a text search for `text` among traces below `before` costs O(its index
   * hits) rather than O(the traces it looks at), so one listTraces call may cover the whole log.
   * A backend without a text index leaves it out: searches then go in bounded windows.
   */
  textSearchIsBounded?(text: string, before?: number): Promise<boolean>;
  /**
   * Retention floor: events at or below it may have been deleted (all but those of traces
   * still live when the floor passed them). A cursor below the floor cannot resume without
   * loss: readers answer `expired`. 0 while nothing was ever deleted.
   */
  floor(): Promise<number>;
  /** Lowest seq still stored (head + 1 when empty). */
  oldestSeq(): Promise<number>;
  /** Whether retention deleted this trace (its id is remembered for a while). */
  isExpiredTrace(traceId: string): Promise<boolean>;
  close(): Promise<void>;
}
