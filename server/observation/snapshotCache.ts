/**
 * Stream snapshots (trace, agent, topic scopes), computed once and shared. A snapshot is a
 * coalesced payload stamped with the seq it is complete up to. It is built page by page from
 * the log (a bounded read, then a turn of the event loop), kept per scope, and extended
 * from where it stopped when the log has grown — never recomputed from scratch per request.
 * Every subscriber and every resync of one scope shares the entry, and a request arriving
 * while a build runs joins that build. So a resync loop on a 100k-token trace costs one build,
 * then a serialization per (rate-limited) resync; no single step holds the loop for long.
 *
 * The state is consistent at every await point: pages are applied whole, in seq order, and
 * `seq` advances with them — so a snapshot taken from an entry at any moment is exact up to
 * its `seq`, and deltas from the window carry on from there.
 */
import type { Scope, Snapshot } from '../../lib/protocol/dashboard';
import { scopeKey } from '../../lib/protocol/dashboard';
import type { EventLog, ReadQuery } from '../store/eventLog';
import type { EventWindow } from './eventWindow';
import { coalesceInto, emptyAccumulator, type StreamAccumulator } from './scopeStream';
import { yieldToLoop } from '../yieldToLoop';

export type StreamScope = Exclude<Scope, { kind: 'overview' }>;

export interface SnapshotEntry {
  key: string;
  scope: StreamScope;
  /** Complete up to this seq. */
  seq: number;
  /** Agent/topic snapshots look back a bounded number of seqs: events at or below this are not in it. */
  floor: number;
  acc: StreamAccumulator;
}

export interface SnapshotCacheOptions {
  /** Events one log read returns at most before the builder yields the loop. */
  pageEvents?: number;
  /** Seqs an agent/topic snapshot looks back over. */
  lookback?: number;
  /** Entries kept (least recently used go first). */
  maxEntries?: number;
  /** Estimated bytes kept over all entries. */
  maxBytes?: number;
}

/** The most events an extension takes from the in-memory window instead of the log. */
const WINDOW_EXTEND_MAX = 50_000;

export function entryBytes(e: SnapshotEntry): number {
  return e.acc.textChars * 2 + e.acc.runs.size * 120 + e.acc.events.length * 400;
}

/** The wire snapshot of an entry, as it stands now (serialize it before the entry moves on). */
export function snapshotOf(e: SnapshotEntry): Extract<Snapshot, { kind: 'stream' }> {
  return { sub: e.key, kind: 'stream', seq: e.seq, scope: e.scope, truncated: e.floor > 0, text: [...e.acc.runs.values()], events: e.acc.events };
}

export class SnapshotCache {
  private readonly entries = new Map<string, SnapshotEntry>();
  private readonly building = new Map<string, Promise<SnapshotEntry>>();
  private readonly o: Required<SnapshotCacheOptions>;
  /** For /metrics and tests: builds started, pages read, requests served without any read. */
  readonly stats = { builds: 0, pages: 0, hits: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly window: EventWindow,
    options: SnapshotCacheOptions = {},
  ) {
    this.o = { pageEvents: 500, lookback: 20_000, maxEntries: 32, maxBytes: 96 * 1024 * 1024, ...options };
  }

  /** The estimated bytes of a scope's cached snapshot, without touching it (0 when none). */
  peekBytes(scope: StreamScope): number {
    const e = this.entries.get(scopeKey(scope));
    return e ? entryBytes(e) : 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The scope's snapshot, complete up to at least `head` at the time of the call (or later). */
  get(scope: StreamScope, head: number): Promise<SnapshotEntry> {
    const key = scopeKey(scope);
    const running = this.building.get(key);
    if (running) return running;
    let entry = this.entries.get(key);
    // Agent/topic entries keep a bounded look-back: one that has grown far past it starts over.
    if (entry && entry.floor > 0 && head - entry.floor > 2 * this.o.lookback) entry = undefined;
    if (!entry) {
      const floor = scope.kind === 'trace' ? 0 : Math.max(0, head - this.o.lookback);
      entry = { key, scope, seq: floor, floor, acc: emptyAccumulator() };
    }
    this.touch(entry);
    if (entry.seq >= head) {
      this.stats.hits++;
      return Promise.resolve(entry);
    }
    const build = this.extend(entry, head).finally(() => this.building.delete(key));
    this.building.set(key, build);
    return build;
  }

  private touch(entry: SnapshotEntry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    let bytes = 0;
    for (const e of this.entries.values()) bytes += entryBytes(e);
    for (const [k, e] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.o.maxEntries && bytes <= this.o.maxBytes)) break;
      bytes -= entryBytes(e);
      this.entries.delete(k); // a build in progress keeps its own reference and still completes
    }
  }

  private filter(scope: StreamScope): ReadQuery {
    if (scope.kind === 'trace') return { traceId: scope.traceId };
    if (scope.kind === 'agent') return { agent: scope.name };
    return { topic: scope.topic };
  }

  private async extend(entry: SnapshotEntry, target: number): Promise<SnapshotEntry> {
    this.stats.builds++;
    // A short way behind and still in the window: fold from memory, no log read.
    if (target - entry.seq <= WINDOW_EXTEND_MAX) {
      const events = this.window.since(entry.seq, target, WINDOW_EXTEND_MAX);
      if (events && (events.length === 0 || events[0].seq > entry.seq)) {
        coalesceInto(entry.acc, events, entry.scope);
        entry.seq = target;
        return entry;
      }
    }
    const filter = this.filter(entry.scope);
    while (entry.seq < target) {
      const page = await this.log.read({ ...filter, after: entry.seq, upTo: target, limit: this.o.pageEvents });
      this.stats.pages++;
      coalesceInto(entry.acc, page, entry.scope);
      entry.seq = page.length < this.o.pageEvents ? target : page[page.length - 1].seq;
      if (entry.seq < target) await yieldToLoop();
    }
    return entry;
  }
}
